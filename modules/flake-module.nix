# A flake-parts module: another flake declares its environments the way this one does, and
# gets `packages.<system>.<env>-monitoring` for each.
#
#   imports = [ monstack.flakeModules.default ];
#   monstack.environments.prod = [ ./envs/prod.nix ];
{ monstackLib, generatorFor }:
{
  config,
  lib,
  flake-parts-lib,
  ...
}:
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

  options.perSystem = flake-parts-lib.mkPerSystemOption (
    { pkgs, ... }:
    {
      options.monstack.generator = mkOption {
        type = types.package;
        default = generatorFor pkgs;
        defaultText = lib.literalExpression "monstack built from its flake with this system's pkgs";
        description = "The generator that builds the bundles (the derivations' builder).";
      };
    }
  );

  config.perSystem =
    { config, system, ... }:
    {
      packages = lib.mapAttrs' (
        name: modules:
        lib.nameValuePair "${name}-monitoring" (
          monstackLib.bundleFor {
            inherit (config.monstack) generator;
            inherit system modules;
            inherit (top) contentAddressed;
          }
        )
      ) top.environments;
    };
}
