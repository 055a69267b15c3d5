// aks-provisioner in one subscription, by `azd up` (subscription scope): a resource group with the
// Function App (Flex Consumption), its user-assigned identity, Storage, Service Bus, Log Analytics
// and Application Insights; the identity's roles on those and on every allowed target scope; an
// Event Grid system topic in each target subscription. The event subscriptions that deliver to the
// function `clusterEvents` are created after deploy (infra/events.bicep, azd postdeploy hook): Event
// Grid validates a function endpoint when the subscription is created, and the function exists only
// once the code is deployed and indexed.
targetScope = 'subscription'

import { scopeList, subscriptionScopes, resourceGroupScopes, targetSubscriptions } from 'app/scopes.bicep'
import { roles } from 'app/roles.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Region of the app\'s resources.')
@metadata({ azd: { type: 'location' } })
param location string

@minLength(1)
@description('Comma-separated ids of the subscriptions (/subscriptions/{id}) and resource groups (/subscriptions/{id}/resourceGroups/{name}) the app may provision in. The app identity gets its roles there, and each subscription gets an Event Grid system topic.')
param allowedScopes string

@minLength(1)
@description('Audience a caller\'s token must be for: the app registration\'s application id URI (api://…) and/or client id, comma-separated. infra/hooks/app-registration.sh creates or takes the registration and sets it (AUTH_AUDIENCE).')
param authAudience string

@description('Tenant whose Entra ID tokens are accepted; default the deployment\'s.')
param authTenantId string = tenant().tenantId

@minLength(1)
@description('CALLER_POLICY: JSON, per app role of the registration, the operations and scopes (inside allowedScopes) its callers may use and whose requests they may see (README, Callers).')
param callerPolicy string

@description('Optional names; empty: abbreviation + resource token.')
param resourceGroupName string = ''
param functionAppName string = ''
param storageAccountName string = ''
param serviceBusNamespaceName string = ''

@description('Resource group, in each target subscription, that holds its Event Grid system topic.')
param eventsResourceGroupName string = ''

@description('Node-image freshness timer: off unless true.')
param nodeImageAutoUpgrade bool = false
param nodeImageCheckSchedule string = '0 0 * * * *'
param nodeImageMaintenanceWindow string = 'Sat,Sun 01:00-05:00'

@description('Drift sweep of the held clusters (reads only): NCRONTAB, hourly by default.')
param driftSweepSchedule string = '0 0 * * * *'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var appName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var eventsGroupName = !empty(eventsResourceGroupName) ? eventsResourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}-events'

// The queues of src/messaging/queue.ts. The runner relies on duplicate detection for re-sends (its
// message ids are deterministic); a message that fails maxDeliveryCount times is dead-lettered.
var queues = [
  {
    name: 'cluster-requests'
    requiresDuplicateDetection: false
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
  {
    name: 'provisioning-steps'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
  {
    name: 'node-image-upgrades'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'log-analytics'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

// Entra authentication only: telemetry is accepted from identities with Monitoring Metrics Publisher.
module applicationInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'application-insights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: roles.ownResources.MonitoringMetricsPublisher
      }
    ]
  }
}

// Host storage, deployment package and the app's Tables (created by the app), identity only.
module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [{ name: deploymentContainerName }]
    }
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: roles.ownResources.StorageBlobDataOwner
      }
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: roles.ownResources.StorageTableDataContributor
      }
    ]
  }
}

// Standard: duplicate detection needs it (Basic has none). No SAS rules: Entra only.
module serviceBus 'br/public:avm/res/service-bus/namespace:0.15.0' = {
  name: 'service-bus'
  scope: rg
  params: {
    name: !empty(serviceBusNamespaceName) ? serviceBusNamespaceName : '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    skuObject: { name: 'Standard' }
    zoneRedundant: false
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    authorizationRules: []
    queues: queues
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: roles.ownResources.ServiceBusDataSender
      }
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: roles.ownResources.ServiceBusDataReceiver
      }
    ]
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: appName
    location: location
    tags: tags
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    applicationInsightsName: applicationInsights.outputs.name
    allowedScopes: join(scopeList(allowedScopes), ',')
    nodeImageAutoUpgrade: nodeImageAutoUpgrade
    nodeImageCheckSchedule: nodeImageCheckSchedule
    nodeImageMaintenanceWindow: nodeImageMaintenanceWindow
    driftSweepSchedule: driftSweepSchedule
    authAudience: authAudience
    authTenantId: authTenantId
    callerPolicy: callerPolicy
  }
}

// The app identity on each allowed target scope: Contributor, and RBAC Administrator conditioned to
// AcrPull / Network Contributor / Managed Identity Operator for service principals (infra/README.md).
module subscriptionRoles 'app/target-roles-subscription.bicep' = [
  for scope in subscriptionScopes(allowedScopes): {
    name: 'target-roles-${uniqueString(scope)}'
    scope: subscription(split(scope, '/')[2])
    params: { principalId: identity.outputs.principalId }
  }
]

module resourceGroupRoles 'app/target-roles-resource-group.bicep' = [
  for scope in resourceGroupScopes(allowedScopes): {
    name: 'target-roles-${uniqueString(scope)}'
    scope: resourceGroup(split(scope, '/')[2], split(scope, '/')[4])
    params: { principalId: identity.outputs.principalId }
  }
]

// One Event Grid system topic per target subscription (Microsoft.Resources.Subscriptions, global):
// it publishes every resource write there; the event subscription (postdeploy) keeps AKS writes.
module eventsGroups 'app/events-group.bicep' = [
  for sub in targetSubscriptions(allowedScopes): {
    name: 'events-group-${uniqueString(sub, environmentName)}'
    scope: subscription(sub)
    params: {
      name: eventsGroupName
      location: location
      tags: tags
    }
  }
]

module eventsTopics 'app/events-topic.bicep' = [
  for (sub, i) in targetSubscriptions(allowedScopes): {
    name: 'events-topic-${uniqueString(sub, environmentName)}'
    scope: resourceGroup(sub, eventsGroupName)
    dependsOn: [eventsGroups[i]]
    params: {
      name: '${abbrs.eventGridDomainsTopics}${environmentName}-resources'
      tags: tags
    }
  }
]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_ID string = api.outputs.resourceId
output AZURE_FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostname}'
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output EVENTS_RESOURCE_GROUP string = eventsGroupName
output EVENTS_SYSTEM_TOPIC string = '${abbrs.eventGridDomainsTopics}${environmentName}-resources'
output ALLOWED_SCOPES string = join(scopeList(allowedScopes), ',')
