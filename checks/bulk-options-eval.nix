# The bulk lists of modules/spec-options.nix (`bulkListOf`: rule files, scrape jobs and
# golden-signals dashboard entries) against `types.listOf` of the same submodules, which they
# replace for speed: the same definitions — from several modules, with priorities, order and
# conditional entries — must give the same value, every omitted field filled alike. Run by
# checks/offline.sh; returns the cases that fail (an empty list is a pass).
{ lib, specModule }:
let
  inherit (lib) mkOption types;
  spec = (lib.evalModules { modules = [ specModule ]; }).options;
  sub = type: type.getSubOptions [ ];
  bulk = {
    scrape_jobs = spec.scrape_jobs;
    rule_files = (sub spec.rules.type).files;
    dashboards = (sub (sub spec.grafana.type).folders.type.nestedTypes.elemType).services;
  };

  # The value of one option of each type, both given the same definitions.
  both = d: {
    bulk = d;
    typed = d;
  };
  evaluate =
    option: definitions:
    (lib.evalModules {
      modules = [
        {
          options.bulk = mkOption {
            inherit (option) type;
            default = [ ];
          };
          options.typed = mkOption {
            type = types.listOf option.type.nestedTypes.elemType;
            default = [ ];
          };
        }
      ]
      ++ map both definitions;
    }).config;
  check =
    case:
    let
      c = evaluate case.option case.definitions;
    in
    {
      inherit (case) what;
      ok = c.bulk == c.typed && map (e: e.${case.key}) c.bulk == case.expected;
    };

  job = name: {
    inherit name;
    discovery.kubernetes = {
      role = "pod";
      match_labels.app = name;
    };
    relabel_configs = [
      {
        source_labels = [ "__meta_kubernetes_pod_label_tier" ];
        target_label = "tier";
      }
    ];
  };
  ruleFile = name: {
    inherit name;
    groups = [
      {
        name = name;
        rules = [
          {
            record = "job:up:sum";
            expr = "sum by (job) (up)";
          }
          {
            alert = "JobDown";
            expr = "job:up:sum == 0";
            tests = [
              {
                input_series = [
                  {
                    series = ''up{job="x"}'';
                    values = "1x5 0x10";
                  }
                ];
                eval_time = "2m";
                later = [
                  {
                    eval_time = "10m";
                    fires = [ { labels.job = "x"; } ];
                  }
                ];
              }
            ];
          }
        ];
      }
    ];
  };

  cases = [
    {
      what = "scrape_jobs: definitions concatenate; mkBefore, mkAfter, mkIf and mkMerge entries";
      option = bulk.scrape_jobs;
      key = "name";
      # mkBefore first and mkAfter last; between them the module system's order of the
      # modules' definitions (as for types.listOf).
      expected = [
        "c"
        "f"
        "g"
        "a"
        "b"
        "d"
      ];
      definitions = [
        [
          (job "a")
          (job "b")
        ]
        (lib.mkBefore [ (job "c") ])
        (lib.mkAfter [ (job "d") ])
        [
          (lib.mkIf false (job "e"))
          (lib.mkIf true (job "f"))
          (lib.mkMerge [
            (job "g")
            { owner = "sre"; }
          ])
        ]
      ];
    }
    {
      what = "rules.files: mkForce wins over a plain definition; nested defaults filled";
      option = bulk.rule_files;
      key = "name";
      expected = [ "forced" ];
      definitions = [
        [ (ruleFile "plain") ]
        (lib.mkForce [ (ruleFile "forced") ])
      ];
    }
    {
      what = "rules.files: a plain definition wins over mkDefault";
      option = bulk.rule_files;
      key = "name";
      expected = [ "plain" ];
      definitions = [
        (lib.mkDefault [ (ruleFile "default") ])
        [ (ruleFile "plain") ]
      ];
    }
    {
      what = "grafana.folders.*.services: mkOrder sorts the definitions";
      option = bulk.dashboards;
      key = "job";
      expected = [
        "b"
        "a"
        "c"
      ];
      definitions = [
        [ { job = "a"; } ]
        (lib.mkAfter [ { job = "c"; } ])
        (lib.mkOrder 500 [
          {
            job = "b";
            title = "B";
          }
        ])
      ];
    }
    {
      what = "no definition: the empty list";
      option = bulk.scrape_jobs;
      key = "name";
      expected = [ ];
      definitions = [ ];
    }
  ];
  documented = {
    what = "the bulk options document their entries' fields (the submodules' sub-options)";
    ok = (bulk.rule_files.type.getSubOptions [ ]) ? groups.description;
  };
in
map (e: e.what) (lib.filter (e: !e.ok) (map check cases ++ [ documented ]))
