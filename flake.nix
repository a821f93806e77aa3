{
  description = "monstack: validated, reproducible monitoring configuration (Prometheus, Alertmanager, Grafana, Loki, Promtail) from one environment spec";

  # The only input. Consumers that already have nixpkgs make it follow theirs.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      monstackLib = import ./modules/lib.nix { inherit lib; };

      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      # CreativeFlow's environments, each an ordinary module.
      environments = {
        dev = ./envs/dev.nix;
        staging = ./envs/staging.nix;
        prod = ./envs/prod.nix;
      };
      specs = lib.mapAttrs (_: env: (monstackLib.evalEnv { modules = [ env ]; }).spec) environments;

      # What the generator is built and checked from: every file Cargo.toml names (the bench
      # target too), the formatter's settings, and what the tests read. (`builtins.path` with a
      # filter rather than lib.fileset, which needs Nix 2.14: checks/offline.sh runs on 2.8.)
      src =
        let
          root = toString ./.;
          include = [
            "Cargo.toml"
            "Cargo.lock"
            "rustfmt.toml"
            "src"
            "bench/floor.rs"
            "tests"
            "examples"
            "docs"
            "modules/spec-options.nix"
            "modules/layout.nix"
          ];
        in
        builtins.path {
          path = ./.;
          name = "monstack-source";
          filter =
            path: _:
            let
              rel = lib.removePrefix "${root}/" (toString path);
            in
            lib.any (i: rel == i || lib.hasPrefix "${i}/" rel || lib.hasPrefix "${rel}/" i) include;
        };

      # The generator, built from Cargo.lock. Its tests run in `checks.<system>.rust-tests`,
      # where the external validators they call are present.
      generatorFor =
        pkgs:
        pkgs.rustPlatform.buildRustPackage {
          pname = "monstack";
          version = (lib.importTOML ./Cargo.toml).package.version;
          inherit src;
          cargoLock.lockFile = ./Cargo.lock;
          doCheck = false;
          meta = {
            description = "Generator of validated monitoring configuration bundles";
            mainProgram = "monstack";
            license = lib.licenses.asl20;
          };
        };
    in
    {
      lib = monstackLib // {
        inherit environments specs;
        # The source the generator is built from (also checked by checks/offline.sh).
        source = src;
      };

      packages = forAllSystems (
        system: pkgs:
        let
          monstack = generatorFor pkgs;
        in
        {
          inherit monstack;
          default = monstack;
        }
        // lib.mapAttrs' (
          env: spec:
          lib.nameValuePair "${env}-monitoring" (
            monstackLib.bundle {
              generator = monstack;
              inherit system spec;
            }
          )
        ) specs
      );

      # `nix run .#diff -- prod staging`: what changes between two environments (or bundles, or
      # spec files); `--format markdown` for a pull-request comment. Exit 0 unchanged, 1 changed.
      apps = forAllSystems (
        system: pkgs:
        let
          script = pkgs.writeShellScript "monstack-diff" (
            monstackLib.diffScript {
              generator = self.packages.${system}.monstack;
              inherit specs;
            }
          );
        in
        {
          diff = {
            type = "app";
            program = "${script}";
            meta.description = "Compare two environments' monitoring semantically (monstack diff)";
          };
        }
      );

      checks = forAllSystems (
        system: pkgs:
        import ./checks {
          inherit pkgs lib specs;
          monstack = self.packages.${system}.monstack;
          bundles = lib.mapAttrs (env: _: self.packages.${system}."${env}-monitoring") specs;
          nixosModule = self.nixosModules.default;
          src = ./.;
        }
      );

      # `_file` makes errors and option listings name the module's file; `key` makes a host that
      # imports the module twice (directly and through another module) take it once.
      nixosModules.default = {
        _file = ./modules/nixos.nix;
        key = "${toString ./modules/nixos.nix}#nixosModules.default";
        imports = [ (import ./modules/nixos.nix { inherit monstackLib generatorFor; }) ];
      };

      flakeModules.default = {
        _file = ./modules/flake-module.nix;
        key = "${toString ./modules/flake-module.nix}#flakeModules.default";
        imports = [ (import ./modules/flake-module.nix { inherit monstackLib generatorFor; }) ];
      };

      formatter = forAllSystems (_: pkgs: pkgs.nixfmt);

      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            packages = [
              pkgs.cargo
              pkgs.rustc
              pkgs.clippy
              pkgs.rustfmt
              pkgs.prometheus
              # promtool: nixpkgs moves it to the `cli` output.
              pkgs.prometheus.cli
              pkgs.prometheus-alertmanager
              pkgs.grafana-loki
              pkgs.nixfmt
            ];
          };
        }
      );
    };
}
