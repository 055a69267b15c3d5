// The Function App: Flex Consumption (FC1), Node.js 22, the user-assigned identity for everything
// (deployment package, host storage, Tables, Service Bus, ARM, telemetry). App settings: exactly
// the settings of src/config.ts marked for Azure (the template test checks both directions).
param name string
param location string
param tags object
param planId string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param serviceBusNamespaceName string
param applicationInsightsName string
@description('Comma-separated subscription / resource-group ids the app may act in.')
param allowedScopes string
param nodeImageAutoUpgrade bool
param nodeImageCheckSchedule string
param nodeImageMaintenanceWindow string
param driftSweepSchedule string
param authAudience string
param authTenantId string
param callerPolicy string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var appSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: '${serviceBusNamespaceName}.servicebus.windows.net'
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  ARM_ENDPOINT: environment().resourceManager
  ALLOWED_SCOPES: allowedScopes
  AUTH_AUDIENCE: authAudience
  AUTH_TENANT_ID: authTenantId
  CALLER_POLICY: callerPolicy
  STEP_RETRY_BUDGET: '8'
  RECHECK_MIN_MS: '2000'
  RECHECK_MAX_MS: '120000'
  ARM_PACING: 'true'
  NODE_IMAGE_AUTO_UPGRADE: string(nodeImageAutoUpgrade)
  NODE_IMAGE_CHECK_SCHEDULE: nodeImageCheckSchedule
  NODE_IMAGE_MAINTENANCE_WINDOW: nodeImageMaintenanceWindow
  DRIFT_SWEEP_SCHEDULE: driftSweepSchedule
}

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: 'api-flex-consumption'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: planId
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identityId]
    }
    basicPublishingCredentialsPolicies: [
      { name: 'ftp', allow: false }
      { name: 'scm', allow: false }
    ]
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: 40
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    appSettingsKeyValuePairs: appSettings
  }
}

output name string = site.outputs.name
output resourceId string = site.outputs.resourceId
output defaultHostname string = site.outputs.defaultHostname
