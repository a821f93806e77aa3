# Functions to evaluate an environment and build its bundle. Exposed as the flake's `lib`.
{ lib }:
let
  specModule = ./spec-options.nix;

  # The spec's top-level option names. Environment modules may declare options of their own
  # (helpers such as per-environment target lists); only the spec's reach the generator.
  specNames = lib.filter (n: n != "_module") (
    builtins.attrNames (lib.evalModules { modules = [ specModule ]; }).options
  );

  # The components of a bundle; each is also an output of the bundle derivation.
  inherit (import ./layout.nix) components;
in
rec {
  inherit specModule components;

  # Evaluates environment modules with the module system. Returns the evaluation, the spec
  # (an attribute set in the shape of `monstack schema`) and its JSON.
  evalEnv =
    {
      modules,
      specialArgs ? { },
    }:
    let
      evaluated = lib.evalModules {
        modules = [ specModule ] ++ modules;
        inherit specialArgs;
      };
      spec = lib.getAttrs specNames evaluated.config;
    in
    {
      inherit evaluated spec;
      json = builtins.toJSON spec;
    };

  # A bundle derivation whose builder is the generator itself: no stdenv, only the generator
  # binary and the spec. `out` holds the whole bundle, one output per component its files.
  # With `contentAddressed = true` (needs Nix's `ca-derivations` feature) a component's store
  # path changes only when its own files do.
  bundle =
    {
      generator,
      system,
      spec,
      name ? "${spec.environment}-monitoring",
      contentAddressed ? false,
    }:
    derivation (
      {
        inherit name system;
        builder = "${generator}/bin/monstack";
        args = [ "nix-builder" ];
        outputs = [ "out" ] ++ components;
        spec = builtins.toJSON spec;
        passAsFile = [ "spec" ];
      }
      // lib.optionalAttrs contentAddressed {
        __contentAddressed = true;
        outputHashMode = "recursive";
        outputHashAlgo = "sha256";
      }
    );

  # The body of the `diff` app (a bash script): `monstack diff` where an argument naming one of
  # `specs` (an attribute set of evaluated specs) stands for that environment's spec, written
  # to the store as JSON at evaluation time; any other argument (a bundle folder, a spec file,
  # `--format markdown`) is passed on as it is. Exit codes are monstack's: 0 unchanged, 1
  # changed, 2 error.
  diffScript =
    { generator, specs }:
    let
      specFile = env: spec: builtins.toFile "${env}-spec.json" (builtins.toJSON spec);
      cases = lib.concatStrings (
        lib.mapAttrsToList (
          env: spec: "    ${lib.escapeShellArg env}) args+=(${specFile env spec}) ;;\n"
        ) specs
      );
    in
    ''
      args=()
      for arg in "$@"; do
        case "$arg" in
      ${cases}    *) args+=("$arg") ;;
        esac
      done
      exec ${generator}/bin/monstack diff "''${args[@]}"
    '';

  # Evaluates environment modules and builds their bundle in one step.
  bundleFor =
    {
      generator,
      system,
      modules,
      specialArgs ? { },
      contentAddressed ? false,
    }:
    bundle {
      inherit generator system contentAddressed;
      spec = (evalEnv { inherit modules specialArgs; }).spec;
    };
}
