//! The model the built-in dashboards are written in, and its Grafana JSON (the classic dashboard
//! model, schemaVersion 39). Layout is computed: each section starts with a row panel, and its
//! panels fill 24 columns left to right, wrapping when a panel would not fit. Ids count from 1
//! in layout order, so ids and positions depend only on the panel list.
//!
//! Panels carry complete options for their visualisation (Grafana fills in defaults itself, but
//! its published schemas require them), and every query goes through the `datasource` variable.

use crate::spec::grafana::DatasourceType;
use serde_json::{Value, json};

/// Grafana's dashboard schema version for 10.4 and later.
pub const SCHEMA_VERSION: u32 = 39;
/// Grafana's grid width.
pub const COLUMNS: u64 = 24;
/// The datasource every panel and query uses: the dashboard's `datasource` variable.
pub const DS_VAR: &str = "${datasource}";

pub struct Board {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub tags: &'static [&'static str],
    pub ds: DatasourceType,
    /// Variables after the built-in `datasource` and `environment`.
    pub variables: Vec<Variable>,
    pub sections: Vec<Section>,
}

pub struct Section {
    pub title: String,
    pub panels: Vec<Panel>,
}

impl Section {
    pub fn new(title: impl Into<String>, panels: Vec<Panel>) -> Self {
        Section { title: title.into(), panels }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Viz {
    TimeSeries,
    /// Counts over time as stacked bars (a log-volume histogram).
    Histogram,
    Stat,
    Gauge,
    BarGauge,
    Table,
    Logs,
}

impl Viz {
    fn plugin(self) -> &'static str {
        match self {
            Viz::TimeSeries | Viz::Histogram => "timeseries",
            Viz::Stat => "stat",
            Viz::Gauge => "gauge",
            Viz::BarGauge => "bargauge",
            Viz::Table => "table",
            Viz::Logs => "logs",
        }
    }

    /// Whether the panel shows one value per series (an instant query suffices).
    fn instant(self) -> bool {
        matches!(self, Viz::Stat | Viz::Gauge | Viz::BarGauge | Viz::Table)
    }

    /// Width and height in grid units.
    fn size(self) -> (u64, u64) {
        match self {
            Viz::TimeSeries | Viz::Histogram => (12, 8),
            Viz::Stat | Viz::Gauge => (6, 4),
            Viz::BarGauge | Viz::Table => (12, 8),
            Viz::Logs => (24, 12),
        }
    }
}

pub struct Panel {
    title: String,
    description: String,
    viz: Viz,
    unit: &'static str,
    width: Option<u64>,
    min: Option<f64>,
    max: Option<f64>,
    /// Threshold steps: (from, colour); the first starts at -Infinity (`None`).
    thresholds: Vec<(Option<f64>, &'static str)>,
    targets: Vec<(String, String)>,
}

impl Panel {
    pub fn new(viz: Viz, title: impl Into<String>, description: impl Into<String>, unit: &'static str) -> Self {
        Panel {
            title: title.into(),
            description: description.into(),
            viz,
            unit,
            width: None,
            min: None,
            max: None,
            thresholds: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// A query with its legend (`{{label}}` templates; empty for Grafana's default).
    pub fn query(mut self, legend: impl Into<String>, expr: impl Into<String>) -> Self {
        self.targets.push((legend.into(), expr.into()));
        self
    }

    pub fn width(mut self, w: u64) -> Self {
        self.width = Some(w);
        self
    }

    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// Amber from `warn`, red from `crit` (for values where higher is worse).
    pub fn warn_crit(mut self, warn: f64, crit: f64) -> Self {
        self.thresholds = vec![(None, "green"), (Some(warn), "orange"), (Some(crit), "red")];
        self
    }

    /// Red below `crit`, amber below `warn` (for values where lower is worse).
    pub fn low_is_bad(mut self, crit: f64, warn: f64) -> Self {
        self.thresholds = vec![(None, "red"), (Some(crit), "orange"), (Some(warn), "green")];
        self
    }
}

pub fn ts(title: impl Into<String>, description: impl Into<String>, unit: &'static str) -> Panel {
    Panel::new(Viz::TimeSeries, title, description, unit)
}

pub fn stat(title: impl Into<String>, description: impl Into<String>, unit: &'static str) -> Panel {
    Panel::new(Viz::Stat, title, description, unit)
}

pub enum Variable {
    /// Values from a label of the datasource (`label_values(...)`), multi-select with All.
    Query { name: &'static str, label: &'static str, query: String },
    /// Fixed values, multi-select with All.
    Custom { name: &'static str, label: &'static str, values: Vec<String> },
}

impl Board {
    /// The dashboard JSON. `env` is the environment, `default_ds` the uid of the datasource the
    /// `datasource` variable starts on, `editable` whether users may edit it in the UI.
    pub fn to_json(&self, env: &str, default_ds: &str, editable: bool) -> Value {
        let ds_type = self.ds.as_str();
        let mut list = vec![
            json!({
                "name": "datasource",
                "label": "Datasource",
                "type": "datasource",
                "query": ds_type,
                "current": { "text": default_ds, "value": default_ds },
                "hide": 0,
                "refresh": 1,
            }),
            json!({
                "name": "environment",
                "label": "Environment",
                "type": "custom",
                "query": env,
                "current": { "text": env, "value": env },
                "options": [{ "text": env, "value": env, "selected": true }],
                "hide": 0,
            }),
        ];
        list.extend(self.variables.iter().map(|v| variable(v, ds_type)));
        json!({
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": self.tags.iter().copied().chain(["monstack"]).collect::<Vec<_>>(),
            "timezone": "browser",
            "editable": editable,
            "graphTooltip": 1,
            "schemaVersion": SCHEMA_VERSION,
            "version": 1,
            "refresh": "1m",
            "time": { "from": "now-6h", "to": "now" },
            "templating": { "list": list },
            "annotations": { "list": [] },
            "links": [{
                "title": "monstack dashboards",
                "type": "dashboards",
                "icon": "external link",
                "tooltip": "",
                "tags": ["monstack"],
                "asDropdown": true,
                "targetBlank": false,
                "includeVars": false,
                "keepTime": true,
            }],
            "panels": self.layout(),
        })
    }

    fn layout(&self) -> Vec<Value> {
        let ds = json!({ "type": self.ds.as_str(), "uid": DS_VAR });
        let mut out = Vec::new();
        let mut y = 0;
        for section in &self.sections {
            out.push(json!({
                "id": out.len() + 1,
                "type": "row",
                "title": section.title,
                "collapsed": false,
                "gridPos": { "x": 0, "y": y, "w": COLUMNS, "h": 1 },
                "panels": [],
            }));
            y += 1;
            let (mut x, mut line_height) = (0, 0);
            for p in &section.panels {
                let (default_w, h) = p.viz.size();
                let w = p.width.unwrap_or(default_w);
                if x + w > COLUMNS {
                    y += line_height;
                    (x, line_height) = (0, 0);
                }
                let id = out.len() + 1;
                out.push(panel(p, id, json!({ "x": x, "y": y, "w": w, "h": h }), &ds));
                x += w;
                line_height = line_height.max(h);
            }
            y += line_height;
        }
        out
    }
}

fn variable(v: &Variable, ds_type: &str) -> Value {
    match v {
        Variable::Query { name, label, query } => json!({
            "name": name,
            "label": label,
            "type": "query",
            "datasource": { "type": ds_type, "uid": DS_VAR },
            "query": query,
            "refresh": 2,
            "includeAll": true,
            "multi": true,
            "allValue": ".*",
            "current": { "text": "All", "value": "$__all" },
            "sort": 1,
            "hide": 0,
        }),
        Variable::Custom { name, label, values } => json!({
            "name": name,
            "label": label,
            "type": "custom",
            "query": values.join(","),
            "options": values.iter().map(|v| json!({ "text": v, "value": v, "selected": false })).collect::<Vec<_>>(),
            "includeAll": true,
            "multi": true,
            "allValue": ".*",
            "current": { "text": "All", "value": "$__all" },
            "hide": 0,
        }),
    }
}

fn panel(p: &Panel, id: usize, grid: Value, ds: &Value) -> Value {
    let loki = ds["type"] == "loki";
    let targets: Vec<Value> = p
        .targets
        .iter()
        .enumerate()
        .map(|(j, (legend, expr))| {
            let ref_id = ((b'A' + j as u8) as char).to_string();
            let mut t = json!({ "refId": ref_id, "datasource": ds, "expr": expr, "editorMode": "code" });
            if p.viz == Viz::Logs {
                t["queryType"] = "range".into();
                return t;
            }
            t["legendFormat"] = legend.as_str().into();
            if loki {
                t["queryType"] = if p.viz.instant() { "instant" } else { "range" }.into();
            } else {
                t["range"] = (!p.viz.instant()).into();
                t["instant"] = p.viz.instant().into();
                if p.viz == Viz::Table {
                    t["format"] = "table".into();
                }
            }
            t
        })
        .collect();
    let mut defaults = json!({ "unit": p.unit, "thresholds": thresholds(p) });
    if p.viz != Viz::Logs {
        defaults["color"] = json!({ "mode": if p.thresholds.is_empty() { "palette-classic" } else { "thresholds" } });
    }
    if let Some(min) = p.min {
        defaults["min"] = min.into();
    }
    if let Some(max) = p.max {
        defaults["max"] = max.into();
    }
    if matches!(p.viz, Viz::TimeSeries | Viz::Histogram) {
        defaults["custom"] = json!({
            "drawStyle": if p.viz == Viz::Histogram { "bars" } else { "line" },
            "lineWidth": 1,
            "fillOpacity": if p.viz == Viz::Histogram { 80 } else { 10 },
            "showPoints": "never",
            "spanNulls": false,
            "stacking": { "mode": if p.viz == Viz::Histogram { "normal" } else { "none" }, "group": "A" },
            "thresholdsStyle": { "mode": if p.thresholds.is_empty() { "off" } else { "dashed" } },
        });
    }
    json!({
        "id": id,
        "type": p.viz.plugin(),
        "title": p.title,
        "description": p.description,
        "datasource": ds,
        "gridPos": grid,
        "fieldConfig": { "defaults": defaults, "overrides": [] },
        "options": options(p.viz),
        "targets": targets,
    })
}

fn thresholds(p: &Panel) -> Value {
    let base = [(None, "green")];
    let steps = if p.thresholds.is_empty() { &base[..] } else { &p.thresholds[..] };
    // Grafana writes the base step's value (-Infinity) as null.
    let steps: Vec<Value> = steps.iter().map(|(v, colour)| json!({ "value": v, "color": colour })).collect();
    json!({ "mode": "absolute", "steps": steps })
}

fn reduce() -> Value {
    json!({ "calcs": ["lastNotNull"], "fields": "", "values": false })
}

fn options(viz: Viz) -> Value {
    let legend = json!({ "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [] });
    match viz {
        Viz::TimeSeries | Viz::Histogram => json!({ "legend": legend, "tooltip": { "mode": "multi", "sort": "desc" } }),
        Viz::Stat => json!({
            "graphMode": "area",
            "colorMode": "value",
            "justifyMode": "auto",
            "textMode": "auto",
            "wideLayout": true,
            "showPercentChange": false,
            "percentChangeColorMode": "standard",
            "orientation": "auto",
            "reduceOptions": reduce(),
        }),
        Viz::Gauge => json!({
            "showThresholdLabels": false,
            "showThresholdMarkers": true,
            "sizing": "auto",
            "minVizWidth": 75,
            "minVizHeight": 75,
            "orientation": "auto",
            "reduceOptions": reduce(),
        }),
        Viz::BarGauge => json!({
            "displayMode": "gradient",
            "valueMode": "color",
            "namePlacement": "auto",
            "showUnfilled": true,
            "sizing": "auto",
            "minVizWidth": 8,
            "minVizHeight": 16,
            "maxVizHeight": 300,
            "legend": legend,
            "orientation": "horizontal",
            "reduceOptions": reduce(),
        }),
        Viz::Table => json!({ "frameIndex": 0, "showHeader": true, "cellHeight": "sm" }),
        Viz::Logs => json!({
            "showLabels": false,
            "showCommonLabels": false,
            "showTime": true,
            "showLogContextToggle": true,
            "wrapLogMessage": true,
            "prettifyLogMessage": false,
            "enableLogDetails": true,
            "sortOrder": "Descending",
            "dedupStrategy": "none",
        }),
    }
}
