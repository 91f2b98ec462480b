//! Kubernetes: a StatefulSet pod's ordinal, from its hostname or from
//! [`POD_INDEX_VAR`] (the `k8s` node source, and the default generator's
//! refusal in a pod that is no StatefulSet's).

pub use crate::env::POD_INDEX_VAR;
use crate::error::{Error, Result};

/// The label the StatefulSet controller puts on each pod with its ordinal
/// (Kubernetes 1.28 and later).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// The longest hostname whose `-<ordinal>` ending is trusted: a StatefulSet
/// name has at most 52 characters (its pods carry the label
/// `controller-revision-hash: <name>-<10-character hash>`, at most 63), so
/// its pod `<name>-<ordinal>` with an ordinal of at most 4 digits has at
/// most 57 and is never cut. The kubelet cuts a longer pod name at 63 and
/// trims a trailing `-` or `.`, which can leave `-<digits>` from the
/// middle of a Deployment pod's name on every replica; such a cut is 62 or
/// 63 characters long (57 or less only if six `-` in a row were trimmed).
pub const MAX_STATEFULSET_HOSTNAME: usize = 57;

/// A StatefulSet pod's ordinal: the hostname has at most
/// [`MAX_STATEFULSET_HOSTNAME`] characters (a longer one may have been cut)
/// and ends in `-<digits>`, 1 to 4 digits without a leading zero (a
/// Deployment pod's 5-character random suffix never matches).
pub fn statefulset_ordinal(hostname: &str) -> Option<u64> {
    if hostname.len() > MAX_STATEFULSET_HOSTNAME {
        return None;
    }
    let (_, digits) = hostname.rsplit_once('-')?;
    let ok = (1..=4).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    ok.then(|| digits.parse().ok()).flatten()
}

/// Why `hostname` gives no ordinal, for error messages.
pub(crate) fn not_an_ordinal(hostname: &str) -> String {
    if hostname.len() > MAX_STATEFULSET_HOSTNAME {
        format!(
            "has {} characters: a hostname longer than {MAX_STATEFULSET_HOSTNAME} may have been cut at 63 by the kubelet, so its ending is no StatefulSet ordinal; pass the ordinal as {POD_INDEX_VAR} (the label {POD_INDEX_LABEL} through the downward API)",
            hostname.len()
        )
    } else {
        format!("is not a StatefulSet pod name ending in -<ordinal> (or set {POD_INDEX_VAR})")
    }
}

/// The StatefulSet ordinal of `hostname` (`web-3` -> 3), if below `slots`:
/// the hostname has at most [`MAX_STATEFULSET_HOSTNAME`]
/// characters (a longer one may have been cut by the kubelet) and ends in
/// `-<digits>`, 1 to 4 digits without a leading zero (see
/// [`statefulset_ordinal`]; a Deployment pod's random
/// 5-character suffix, even an all-digit one, is never taken for one).
pub fn k8s_ordinal(hostname: &str, slots: u64) -> Result<u64> {
    statefulset_ordinal(hostname)
        .filter(|&o| o < slots)
        .ok_or_else(|| Error::InvalidSetting {
            setting: "hostname".into(),
            value: hostname.to_owned(),
            expected: format!(
                "a StatefulSet pod name of at most {} characters ending in -<ordinal> (1 to 4 digits, no leading zero), ordinal 0..={}, or the ordinal in {} (the label {} through the downward API){}",
                MAX_STATEFULSET_HOSTNAME,
                slots - 1,
                POD_INDEX_VAR,
                POD_INDEX_LABEL,
                if hostname.len() > MAX_STATEFULSET_HOSTNAME {
                    format!(
                        "; this hostname has {} characters and may have been cut at 63 by the kubelet",
                        hostname.len()
                    )
                } else {
                    String::new()
                }
            ),
        })
}
