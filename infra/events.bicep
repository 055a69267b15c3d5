// The Event Grid subscriptions that deliver cluster writes to the function `clusterEvents`, one on
// each target subscription's system topic (created by main.bicep). Deployed by the azd postdeploy
// hook (hooks/postdeploy.sh), after the code: Event Grid checks a function destination when the
// subscription is created, and the function exists only once the app is deployed and indexed.
targetScope = 'subscription'

import { targetSubscriptions } from 'app/scopes.bicep'

@description('The same list as main.bicep\'s allowedScopes (azd output ALLOWED_SCOPES).')
param allowedScopes string
@description('Resource id of the Function App (azd output AZURE_FUNCTION_APP_ID).')
param functionAppId string
param eventsResourceGroupName string
param systemTopicName string

module subscriptions 'app/event-subscription.bicep' = [
  for sub in targetSubscriptions(allowedScopes): {
    name: 'cluster-events-${uniqueString(sub, functionAppId)}'
    scope: resourceGroup(sub, eventsResourceGroupName)
    params: {
      systemTopicName: systemTopicName
      functionResourceId: '${functionAppId}/functions/clusterEvents'
    }
  }
]
