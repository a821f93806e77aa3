# A flake-parts module: another flake declares its environments the way this one does, and
# gets `packages.<system>.<env>-monitoring` for each.
#
#   imports = [ monstack.flakeModules.default ];
#   monstack.environments.prod = [ ./envs/prod.nix ];
{ monstackLib, generatorFor }:
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  top = config.monstack;
in
{
  options.monstack = {
    environments = mkOption {
      type = types.attrsOf (types.listOf types.deferredModule);
      default = { };
      example = lib.literalExpression "{ prod = [ ./envs/prod.nix ]; }";
      description = "Environments by name, each a list of modules in the shape of monstack's spec.";
    };
    contentAddressed = mkOption {
      type = types.bool;
      default = false;
      description = "Build bundles as content-addressed derivations (needs Nix's ca-derivations feature), so a component's store path changes only when its files do.";
    };
  };

  config.perSystem =
    { pkgs, system, ... }:
    {
      packages = lib.mapAttrs' (
        name: modules:
        lib.nameValuePair "${name}-monitoring" (
          monstackLib.bundleFor {
            generator = generatorFor pkgs;
            inherit system modules;
            inherit (top) contentAddressed;
          }
        )
      ) top.environments;
    };
}
