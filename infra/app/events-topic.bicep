// The Event Grid system topic of the subscription this module is deployed in: resource writes
// (Microsoft.Resources.ResourceWriteSuccess among them). Azure allows one system topic per source:
// a subscription that already has one needs its event subscription added there instead (README).
param name string
param tags object

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

output name string = topic.name
