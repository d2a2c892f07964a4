//! What a node reports about its data's generation (issue 10): DRBD's identifiers, the
//! witness record of this boot, and the single-node assessment ("current when it lost the
//! peer" / "came back alone: the peer may be newer"). Carried by `ha-status --json` as
//! `"generation"` ([`crate::model::StatusDoc::generation`]) and by the node view
//! ([`crate::model::NodeView::data`]). Read by [`crate::observe::generation`], assessed by
//! [`crate::decide::promote`].
//!
//! ```text
//! "generation": {"ids": {"current":"…","bitmap":"…","history":["…","…"],"flags":{…},
//!                        "summary":"crashed Secondary, StandAlone, UpToDate","al_clean":false,"line":"…"},
//!                "error": null, "boot_id": "…", "witness": {…}, "bootstrap": true,
//!                "assessment": {"promotable": false, "text": "came back alone: …"}}
//! ```

use serde::{Deserialize, Serialize};

use crate::drbd::gi::GenerationIds;
use crate::drbd::witness::WitnessRecord;

/// The single-node assessment: may this node's data be served without the peer?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The promotion policy would promote this node now (see [`crate::decide::promote`]).
    pub promotable: bool,
    /// Why, in one sentence.
    pub text: String,
}

/// A node's data-generation facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DataFacts {
    /// `drbdadm get-gi`, parsed (`None`: not read, see `error`).
    #[serde(default)]
    pub ids: Option<GenerationIds>,
    /// Why the identifiers could not be read.
    #[serde(default)]
    pub error: Option<String>,
    /// This boot's id.
    #[serde(default)]
    pub boot_id: Option<String>,
    /// The drbd-witness record (`None`: none, or of another boot).
    #[serde(default)]
    pub witness: Option<WitnessRecord>,
    /// This node is the topology's bootstrap server.
    #[serde(default)]
    pub bootstrap: Option<bool>,
    /// The single-node assessment (policy without the `promote_without_peer` setting).
    #[serde(default)]
    pub assessment: Option<Assessment>,
}

impl DataFacts {
    /// The identifiers in one line for evidence.
    pub fn ids_text(&self) -> String {
        match (&self.ids, &self.error) {
            (Some(g), _) => format!("{} ({})", g.line(), g.flags.summary()),
            (None, Some(e)) => format!("identifiers not read: {e}"),
            (None, None) => "identifiers not reported".to_string(),
        }
    }
}
