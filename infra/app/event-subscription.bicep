// Cluster writes on one system topic → the function `clusterEvents` (Event Grid finds the function
// and its key itself: no key or URL passes through this template). One event per invocation.
param systemTopicName string
param functionResourceId string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource clusterWrites 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'aks-provisioner-cluster-writes'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionResourceId
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      // Writes and deletes of clusters and their pools: a cluster write may be an isolation change
      // (node-image upgrade) and any of them may be drift from the held state (a deleted Kata pool);
      // and of the resources a cluster holds (src/domain/held-resources.ts): registry, private
      // endpoints and their DNS zone groups, private DNS zones, links and A records, role
      // assignments, NSG rules, Arc private link scopes. 22 values (StringIn takes up to 25).
      includedEventTypes: ['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Resources.ResourceDeleteSuccess']
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: [
            'Microsoft.ContainerService/managedClusters/write'
            'Microsoft.ContainerService/managedClusters/delete'
            'Microsoft.ContainerService/managedClusters/agentPools/write'
            'Microsoft.ContainerService/managedClusters/agentPools/delete'
            'Microsoft.ContainerRegistry/registries/write'
            'Microsoft.ContainerRegistry/registries/delete'
            'Microsoft.Network/privateEndpoints/write'
            'Microsoft.Network/privateEndpoints/delete'
            'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write'
            'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete'
            'Microsoft.Network/privateDnsZones/write'
            'Microsoft.Network/privateDnsZones/delete'
            'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write'
            'Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete'
            'Microsoft.Network/privateDnsZones/A/write'
            'Microsoft.Network/privateDnsZones/A/delete'
            'Microsoft.Authorization/roleAssignments/write'
            'Microsoft.Authorization/roleAssignments/delete'
            'Microsoft.Network/networkSecurityGroups/securityRules/write'
            'Microsoft.Network/networkSecurityGroups/securityRules/delete'
            'Microsoft.HybridCompute/privateLinkScopes/write'
            'Microsoft.HybridCompute/privateLinkScopes/delete'
          ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
