// The app identity's roles on one allowed target subscription (see infra/README.md for why each).
targetScope = 'subscription'

import { roles, delegationCondition } from 'roles.bicep'

param principalId string

resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roles.targetScopes.Contributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.targetScopes.Contributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'aks-provisioner: clusters, networks, registries, DNS, identities, Arc private link'
  }
}

resource rbacAdministrator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roles.targetScopes.RoleBasedAccessControlAdministrator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.targetScopes.RoleBasedAccessControlAdministrator)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'aks-provisioner: AcrPull, Network Contributor, Managed Identity Operator to service principals only'
    condition: delegationCondition
    conditionVersion: '2.0'
  }
}
