//! The `SNOWID_*` environment, read and validated in one place.
//!
//! [`Environment::process`] takes a snapshot of the variables snowid reads;
//! tests and the conformance vectors build one from pairs instead. Every
//! value is trimmed, an empty value is unset, and a value that is not UTF-8
//! is an [`Error::InvalidSetting`] naming the variable (never silently
//! ignored). The rules are `testdata/OPTIONS.md`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::layout::Layout;

/// Variables outside the `SNOWID_` namespace that snowid reads: the state
/// directory's defaults and the markers of replicated environments.
const OTHER_VARS: &[&str] = &[
    "XDG_STATE_HOME",
    "HOME",
    "USER",
    "HOSTNAME",
    "KUBERNETES_SERVICE_HOST",
    "AWS_LAMBDA_FUNCTION_NAME",
    "K_SERVICE",
];

/// The variable that passes a StatefulSet pod's ordinal explicitly (the
/// label [`crate::node::k8s::POD_INDEX_LABEL`] through the downward API);
/// it wins over the hostname.
pub const POD_INDEX_VAR: &str = "SNOWID_POD_INDEX";

/// A snapshot of the environment variables snowid reads.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, OsString>,
    /// Read `/etc/hostname` when `HOSTNAME` is unset (the real process only).
    real: bool,
}

impl Environment {
    /// The current process's variables.
    pub fn process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| {
                let k = k.into_string().ok()?;
                (k.starts_with("SNOWID_") || OTHER_VARS.contains(&k.as_str())).then_some((k, v))
            })
            .collect();
        Environment { vars, real: true }
    }

    /// An environment of exactly these variables (tests, vectors).
    pub fn from_pairs<K: Into<String>, V: Into<OsString>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            real: false,
        }
    }

    /// The trimmed value of `name`; `None` if unset or blank; an error if it
    /// is not UTF-8.
    pub fn get(&self, name: &str) -> Result<Option<String>> {
        let Some(raw) = self.vars.get(name) else {
            return Ok(None);
        };
        let Some(text) = raw.to_str() else {
            return Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: raw.to_string_lossy().into_owned(),
                expected: "a UTF-8 value".into(),
            });
        };
        let t = text.trim();
        Ok((!t.is_empty()).then(|| t.to_owned()))
    }

    /// A path variable, not trimmed of inner content; `None` if unset or
    /// blank.
    pub fn path(&self, name: &str) -> Result<Option<PathBuf>> {
        Ok(self.get(name)?.map(PathBuf::from))
    }

    /// Names of the set `SNOWID_*` variables.
    fn snowid_names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .keys()
            .map(String::as_str)
            .filter(|k| k.starts_with("SNOWID_"))
    }

    /// The hostname: `HOSTNAME`, else (in the real process) `/etc/hostname`.
    pub fn hostname(&self) -> Result<String> {
        if let Some(h) = self.get("HOSTNAME")? {
            return Ok(h);
        }
        if self.real {
            if let Ok(h) = std::fs::read_to_string("/etc/hostname") {
                return Ok(h.trim().to_owned());
            }
        }
        Ok(String::new())
    }

    /// `name` parsed as an integer in `min..=max`.
    pub fn int(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>> {
        self.get(name)?
            .map(|v| parse_setting(name, &v, min, max))
            .transpose()
    }

    /// `name` as one of `choices` (case-insensitive), returned lower-case.
    pub fn choice(&self, name: &str, choices: &[&str]) -> Result<Option<String>> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        let lower = v.to_ascii_lowercase();
        if choices.contains(&lower.as_str()) {
            Ok(Some(lower))
        } else {
            Err(Error::InvalidSetting {
                setting: name.to_owned(),
                value: v,
                expected: format!("one of {}", choices.join(", ")),
            })
        }
    }

    /// `SNOWID_LAYOUT`: a preset (default Twitter).
    pub fn layout(&self) -> Result<Option<Layout>> {
        match self.get("SNOWID_LAYOUT")? {
            None => Ok(None),
            Some(name) => Layout::preset(&name.to_ascii_lowercase())
                .map(Some)
                .map_err(|_| Error::InvalidSetting {
                    setting: "SNOWID_LAYOUT".into(),
                    value: name,
                    expected: format!("a preset name: {}", crate::layout::PRESETS.join(", ")),
                }),
        }
    }

    /// `SNOWID_PERSIST`: `1`/`0`/`true`/`false`/`yes`/`no`.
    pub fn persist(&self) -> Result<Option<bool>> {
        self.flag("SNOWID_PERSIST")
    }

    /// A yes/no variable: `1`/`0`/`true`/`false`/`yes`/`no` (any case).
    pub fn flag(&self, name: &str) -> Result<Option<bool>> {
        Ok(self
            .choice(name, &["1", "0", "true", "false", "yes", "no"])?
            .map(|v| matches!(v.as_str(), "1" | "true" | "yes")))
    }

    /// `SNOWID_POD_INDEX`: a StatefulSet ordinal `0..slots`.
    pub fn pod_index(&self, slots: u64) -> Result<Option<u64>> {
        self.int(POD_INDEX_VAR, 0, slots.saturating_sub(1))
    }

    /// The `SNOWID_<FIELD>_ID` variables for `layout`'s node fields, in
    /// layout order (`None` where unset). A `SNOWID_<X>_ID` for a field the
    /// layout lacks is an error naming it.
    pub fn node_ids(&self, layout: &Layout) -> Result<Vec<Option<u64>>> {
        for name in self.snowid_names() {
            let Some(field) = name
                .strip_prefix("SNOWID_")
                .and_then(|r| r.strip_suffix("_ID"))
            else {
                continue;
            };
            let known = layout
                .node_fields()
                .any(|f| f.name().eq_ignore_ascii_case(field));
            if !known && self.get(name)?.is_some() {
                return Err(Error::InvalidSetting {
                    setting: name.to_owned(),
                    value: self.get(name)?.unwrap_or_default(),
                    expected: format!(
                        "no such variable: layout {} has the node fields {}",
                        layout.name(),
                        id_vars(layout).join(", ")
                    ),
                });
            }
        }
        layout
            .node_fields()
            .map(|f| self.int(&id_var(f.name()), 0, f.max()))
            .collect()
    }
}

/// The environment variable of a node field: `SNOWID_<FIELD>_ID`.
pub fn id_var(field: &str) -> String {
    format!("SNOWID_{}_ID", field.to_ascii_uppercase())
}

/// The ID variables of a layout's node fields.
pub fn id_vars(layout: &Layout) -> Vec<String> {
    layout.node_fields().map(|f| id_var(f.name())).collect()
}

/// Parses an integer setting in `min..=max`, or an error naming it.
pub fn parse_setting(setting: &str, value: &str, min: u64, max: u64) -> Result<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| Error::InvalidSetting {
            setting: setting.to_owned(),
            value: value.to_owned(),
            expected: format!("an integer {min}..={max}"),
        })
}

/// The replicated environment this process runs in, as messages name it,
/// when the environment says it is one of several replicas that each have
/// their own filesystem: Kubernetes (any pod, a StatefulSet's too), AWS
/// Lambda, Cloud Run or Knative. `None` elsewhere.
pub(crate) fn replicated_environment(env: &Environment) -> Result<Option<String>> {
    if env.get("KUBERNETES_SERVICE_HOST")?.is_some() {
        return Ok(Some("Kubernetes (KUBERNETES_SERVICE_HOST is set)".into()));
    }
    if let Some(f) = env.get("AWS_LAMBDA_FUNCTION_NAME")? {
        return Ok(Some(format!("AWS Lambda (AWS_LAMBDA_FUNCTION_NAME={f})")));
    }
    if let Some(s) = env.get("K_SERVICE")? {
        return Ok(Some(format!("Cloud Run or Knative (K_SERVICE={s})")));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    #[test]
    fn values_are_trimmed_and_checked() {
        let env = Environment::from_pairs([
            ("SNOWID_LAYOUT", OsString::from("  Discord ")),
            ("SNOWID_WORKER_ID", OsString::from(" 7 ")),
            ("SNOWID_CLOCK", OsString::from_vec(vec![0xff, 0x41])),
            ("SNOWID_STATE_DIR", OsString::from("   ")),
        ]);
        assert_eq!(env.layout().unwrap().unwrap().name(), "discord");
        assert_eq!(env.get("SNOWID_STATE_DIR").unwrap(), None);
        let e = env.get("SNOWID_CLOCK").unwrap_err();
        assert!(e.to_string().contains("SNOWID_CLOCK"), "{e}");
        let ids = env.node_ids(&Layout::discord()).unwrap();
        assert_eq!(ids, vec![Some(7), None]);
        let e = env.node_ids(&Layout::instagram()).unwrap_err();
        assert!(e.to_string().contains("SNOWID_WORKER_ID"), "{e}");
    }
}
