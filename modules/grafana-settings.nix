# Grafana's server settings for an environment spec, as services.grafana.settings takes them:
# the same settings the bundle renders as grafana/grafana.ini and grafana/settings.json
# (src/render/grafana/settings.rs). Builtins only, so tests/nix.rs can evaluate it without
# nixpkgs and hold it equal to the bundle's settings.json.
spec:
let
  s = spec.grafana.server;
  tls = spec.access.tls or null;
  hasTls = tls != null;
  file = path: "$__file{${path}}";
  optional = cond: attrs: if cond then attrs else { };
  oauth = s.oauth;
  roleTerms =
    role: groups: map (g: "contains(${oauth.groups_attribute}[*], '${g}') && '${role}'") groups;
in
{
  server = {
    inherit (s) http_addr http_port;
    protocol = if hasTls then "https" else "http";
    enforce_domain = false;
  }
  // optional (s.root_url != null) { inherit (s) root_url; }
  // optional hasTls {
    cert_file = tls.cert_file;
    cert_key = tls.key_file;
    min_tls_version = if tls.min_version == "TLS13" then "TLS1.3" else "TLS1.2";
  };
  security = {
    inherit (s) admin_user cookie_samesite;
    disable_gravatar = true;
    allow_embedding = false;
    cookie_secure = hasTls;
    content_security_policy = true;
    x_content_type_options = true;
    x_xss_protection = true;
    strict_transport_security = hasTls;
  }
  // optional hasTls { strict_transport_security_max_age_seconds = 31536000; }
  // optional (s.admin_password_file != null) { admin_password = file s.admin_password_file; }
  // optional (s.secret_key_file != null) { secret_key = file s.secret_key_file; };
  users = {
    allow_sign_up = false;
    allow_org_create = false;
    auto_assign_org = true;
    auto_assign_org_role = "Viewer";
  };
  auth.disable_login_form = s.disable_login_form;
  "auth.anonymous".enabled = false;
  snapshots.external_enabled = false;
  analytics = {
    reporting_enabled = false;
    check_for_updates = false;
  };
}
// optional (oauth != null) {
  "auth.generic_oauth" = {
    enabled = true;
    inherit (oauth)
      name
      client_id
      auth_url
      token_url
      ;
    client_secret = file oauth.client_secret_file;
    scopes = builtins.concatStringsSep " " oauth.scopes;
    api_url = oauth.userinfo_url;
    use_pkce = true;
    allow_sign_up = true;
    role_attribute_path = builtins.concatStringsSep " || " (
      roleTerms "Admin" oauth.admin_groups ++ roleTerms "Editor" oauth.editor_groups ++ [ "'Viewer'" ]
    );
    role_attribute_strict = false;
    allow_assign_grafana_admin = false;
    groups_attribute_path = oauth.groups_attribute;
  }
  // optional (oauth.allowed_groups != [ ]) {
    allowed_groups = builtins.concatStringsSep " " oauth.allowed_groups;
  };
}
