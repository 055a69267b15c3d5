// Role definitions and the condition that bounds what the app may grant on its target scopes.

@export()
var roles = loadJsonContent('../roles.json')

var delegable = join(map(items(roles.delegable), r => r.value), ', ')

// Role Based Access Control Administrator, constrained (ABAC condition, version 2.0): the app may
// write or delete a role assignment only when its role is AcrPull, Network Contributor or Managed
// Identity Operator AND its principal is a service principal (the managed identities the steps
// create for clusters). It can never grant Owner, User Access Administrator or anything else, nor
// grant to users or groups.
@export()
var delegationCondition = '((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${delegable}} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {\'ServicePrincipal\'})) AND ((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/delete\'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${delegable}} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {\'ServicePrincipal\'}))'
