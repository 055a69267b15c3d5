// The allowed target scopes (ALLOWED_SCOPES): a comma-separated list of subscription ids
// (/subscriptions/{id}) and resource-group ids (/subscriptions/{id}/resourceGroups/{name}).

@export()
@description('The scopes of a comma-separated list, trimmed, without empty entries or trailing slashes.')
func scopeList(allowedScopes string) array =>
  filter(map(split(allowedScopes, ','), s => toLower(trim(s))), s => !empty(s))

@export()
@description('The distinct subscription ids the scopes lie in (one Event Grid system topic each).')
func targetSubscriptions(allowedScopes string) array =>
  union(map(scopeList(allowedScopes), s => split(s, '/')[2]), [])

@export()
@description('The scopes that are whole subscriptions.')
func subscriptionScopes(allowedScopes string) array =>
  filter(scopeList(allowedScopes), s => length(split(s, '/')) == 3)

@export()
@description('The scopes that are resource groups.')
func resourceGroupScopes(allowedScopes string) array =>
  filter(scopeList(allowedScopes), s => length(split(s, '/')) == 5)
