#!/bin/sh
# azd postdeploy: the Event Grid subscriptions to the function clusterEvents (infra/events.bicep),
# now that the function is deployed and indexed. azd passes its environment's values (the outputs
# of main.bicep) as environment variables. Idempotent: a second run changes nothing.
set -eu
az deployment sub create \
  --name "aks-provisioner-events-${AZURE_ENV_NAME}" \
  --location "${AZURE_LOCATION}" \
  --template-file infra/events.bicep \
  --parameters \
    allowedScopes="${ALLOWED_SCOPES}" \
    functionAppId="${AZURE_FUNCTION_APP_ID}" \
    eventsResourceGroupName="${EVENTS_RESOURCE_GROUP}" \
    systemTopicName="${EVENTS_SYSTEM_TOPIC}" \
  --output none
echo "Event Grid: cluster writes in ${ALLOWED_SCOPES} are delivered to ${AZURE_FUNCTION_APP_NAME}/clusterEvents"
