#!/bin/sh
# azd preprovision: the app registration callers get tokens for (its application id URI is the
# audience the app checks, AUTH_AUDIENCE), with one app role per entry of CALLER_POLICY, so that an
# administrator can assign each team its role (Enterprise applications → Users and groups, or
# `az rest` on appRoleAssignedTo). Creates it once, then takes it (AUTH_APP_ID names an existing one);
# idempotent: a second run changes nothing but the roles' list, which it keeps in step with the policy.
set -eu
: "${CALLER_POLICY:?set CALLER_POLICY (azd env set CALLER_POLICY '{\"roles\":{…}}'): README, Callers}"
name="aks-provisioner-${AZURE_ENV_NAME}"
app_id="${AUTH_APP_ID:-$(az ad app list --display-name "$name" --query '[0].appId' -o tsv)}"
if [ -z "$app_id" ]; then
  app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)"
  echo "created app registration $name ($app_id)"
fi
az ad app update --id "$app_id" --identifier-uris "api://$app_id"
# Access tokens v2 (issuer https://login.microsoftonline.com/{tenant}/v2.0); both issuers are accepted.
az ad app update --id "$app_id" --set api.requestedAccessTokenVersion=2
# One app role per policy role, for users, groups and applications; ids derived from the role's name.
roles="$(node -e '
  const { createHash } = require("node:crypto");
  const policy = JSON.parse(process.env.CALLER_POLICY);
  const id = (s) => { const h = createHash("sha1").update(s).digest("hex"); return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`; };
  console.log(JSON.stringify(Object.keys(policy.roles).map((r) => ({ allowedMemberTypes: ["User", "Application"], displayName: r, description: `aks-provisioner: ${policy.roles[r].operations.join(", ")} in ${policy.roles[r].scopes.join(", ")}`, id: id(r), isEnabled: true, value: r }))));
')"
az ad app update --id "$app_id" --app-roles "$roles"
az ad sp show --id "$app_id" >/dev/null 2>&1 || az ad sp create --id "$app_id" >/dev/null
azd env set AUTH_APP_ID "$app_id"
azd env set AUTH_AUDIENCE "api://$app_id,$app_id"
echo "app registration $name: audience api://$app_id; roles $(echo "$roles" | node -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t).map(r=>r.value).join(", ")))')"
