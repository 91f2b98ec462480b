//! Where the node numbers come from when no node field is given: a source
//! named by `node_source=` or `SNOWID_NODE_SOURCE`, or the environment's
//! rule (`testdata/OPTIONS.md`, "The environment").

use super::{invalid, POD_INDEX_LABEL, POD_INDEX_VAR};
use crate::env::{id_var, id_vars, replicated_environment, Environment};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::node::k8s::{k8s_ordinal, not_an_ordinal, statefulset_ordinal};
use crate::node::{lease_source, NodeSource};

/// A source named by `node_source=` or `SNOWID_NODE_SOURCE`.
pub(super) fn named_source(name: &str, layout: &Layout, env: &Environment) -> Result<NodeSource> {
    match name {
        "local" => Ok(NodeSource::Local),
        "env" => {
            let ids = env.node_ids(layout)?;
            if ids.iter().all(Option::is_none) {
                return Err(invalid(
                    "SNOWID_NODE_SOURCE",
                    "env",
                    format!("at least one of {} to be set", id_vars(layout).join(", ")),
                ));
            }
            Ok(NodeSource::Env(
                ids.into_iter().map(|v| v.unwrap_or(0)).collect(),
            ))
        }
        "k8s" | "kubernetes" => {
            let slots = layout.capacity().nodes;
            let ordinal = match env.pod_index(slots)? {
                Some(index) => index,
                None => k8s_ordinal(&env.hostname()?, slots)?,
            };
            Ok(NodeSource::Kubernetes(layout.slot_nodes(ordinal)))
        }
        other => lease_source(other, env),
    }
}

/// The default generator's source when `configure()` names none: the
/// environment's rule (`testdata/OPTIONS.md`, "The environment").
pub(super) fn env_source(layout: &Layout, env: &Environment) -> Result<NodeSource> {
    let ids = env.node_ids(layout)?;
    let any_id = layout
        .node_fields()
        .zip(&ids)
        .find(|(_, v)| v.is_some())
        .map(|(f, _)| id_var(f.name()));
    let named = env.choice(
        "SNOWID_NODE_SOURCE",
        &["env", "local", "k8s", "kubernetes", "etcd", "redis"],
    )?;
    // SNOWID_POD_INDEX is the k8s source's: with another source named (or
    // implied by ID variables) it is refused; alone it selects k8s.
    if let (Some(pod), Some(other)) = (
        env.get(POD_INDEX_VAR)?,
        named.as_deref().or(any_id.as_ref().map(|_| "env")),
    ) {
        if other != "k8s" && other != "kubernetes" {
            let why = match (&named, &any_id) {
                (None, Some(var)) => format!("{var} set (the env source)"),
                _ => format!("SNOWID_NODE_SOURCE={other}"),
            };
            return Err(invalid(
                POD_INDEX_VAR,
                pod,
                format!("unset with {why} ({POD_INDEX_VAR} is read only by the k8s source)"),
            ));
        }
    }
    if named.is_none() && any_id.is_none() && env.get(POD_INDEX_VAR)?.is_some() {
        return named_source("k8s", layout, env);
    }
    match (named.as_deref(), any_id) {
        (Some("env"), _) | (None, Some(_)) => named_source("env", layout, env),
        (Some(other), Some(var)) => Err(invalid(
            &var,
            env.get(&var)?.unwrap_or_default(),
            format!("unset with SNOWID_NODE_SOURCE={other} (ID variables are read only by SNOWID_NODE_SOURCE=env)"),
        )),
        (Some(other), None) => named_source(other, layout, env),
        (None, None) => replicated_default(layout, env),
    }
}

/// With no configuration at all: machine-local slots, unless the
/// environment says this process is one of several replicas.
fn replicated_default(layout: &Layout, env: &Environment) -> Result<NodeSource> {
    let safe = |extra: &str| {
        format!(
            "{} per replica{extra}, SNOWID_NODE_SOURCE=etcd or SNOWID_NODE_SOURCE=redis",
            id_vars(layout).join(" / ")
        )
    };
    if env.get("KUBERNETES_SERVICE_HOST")?.is_some() {
        let host = env.hostname()?;
        if statefulset_ordinal(&host).is_some() {
            return named_source("k8s", layout, env);
        }
        return Err(Error::NodeSourceRequired {
            environment: format!(
                "Kubernetes (KUBERNETES_SERVICE_HOST is set; hostname {host:?} {})",
                not_an_ordinal(&host)
            ),
            safe: safe(&format!(
                ", {POD_INDEX_VAR} from the label {POD_INDEX_LABEL} in a StatefulSet"
            )),
        });
    }
    // Kubernetes was judged above; Lambda and Cloud Run are named as the
    // segment store's refusal names them.
    if let Some(environment) = replicated_environment(env)? {
        return Err(Error::NodeSourceRequired {
            environment,
            safe: safe(""),
        });
    }
    Ok(NodeSource::Local)
}
