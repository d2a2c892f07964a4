//! `<run>/state.json`: the persistent description of a running lab, shared by CLI calls.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::pace;

/// The state.json format written by this version. Format 1 (no `format` key) had a
/// point-to-point public link (`ports`: be1 public, be2 public, be1 cluster, be2 cluster) and
/// two pids; such a lab can still be attached to for `down`, `crash` and `exec`, not booted.
pub(crate) const STATE_FORMAT: u64 = 2;

/// Persistent description of a running lab (`<run>/state.json`), shared by CLI calls.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) kernel: PathBuf,
    pub(crate) initrd: PathBuf,
    pub(crate) kmods: PathBuf,
    /// the public segment: qemu multicast group and port (`239.255.A.B:PORT`, one per lab);
    /// None for a format-1 lab
    pub(crate) public: Option<String>,
    /// udp ports of the point-to-point cluster link: be1, be2
    pub(crate) ports: [u16; 2],
    /// the back ends' disks (fe1 has none)
    pub(crate) disks: [PathBuf; 2],
    /// qemu pids: be1, be2, fe1 (0: not running)
    pub(crate) pids: [i32; 3],
    /// memory of each back end
    pub(crate) mem_mib: u32,
    /// memory of fe1
    pub(crate) fe_mem_mib: u32,
    /// does this lab have a front end (fe1)?
    pub(crate) frontend: bool,
    /// the pace factor measured at boot (1: the reference machine's speed)
    pub(crate) pace: f64,
}

impl State {
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format": STATE_FORMAT,
            "kernel": self.kernel, "initrd": self.initrd, "kmods": self.kmods,
            "public": self.public, "ports": self.ports, "disks": self.disks,
            "pids": self.pids, "mem_mib": self.mem_mib, "fe_mem_mib": self.fe_mem_mib,
            "frontend": self.frontend, "pace": self.pace,
        })
    }
    pub(crate) fn from_json(v: &serde_json::Value) -> Result<State> {
        let s = |k: &str| -> Result<PathBuf> {
            Ok(PathBuf::from(
                v.get(k)
                    .and_then(|x| x.as_str())
                    .context(format!("state.json: {k}"))?,
            ))
        };
        let arr = |k: &str| -> Result<Vec<serde_json::Value>> {
            Ok(v.get(k)
                .and_then(|x| x.as_array())
                .context(format!("state.json: {k}"))?
                .clone())
        };
        let format = v.get("format").and_then(|f| f.as_u64()).unwrap_or(1);
        if format > STATE_FORMAT {
            bail!("state.json: format {format} is newer than this lab binary ({STATE_FORMAT})");
        }
        let ports: Vec<u16> = arr("ports")?
            .iter()
            .filter_map(|p| p.as_u64().and_then(|p| u16::try_from(p).ok()))
            .collect();
        let disks: Vec<PathBuf> = arr("disks")?
            .iter()
            .filter_map(|p| p.as_str().map(PathBuf::from))
            .collect();
        let pids: Vec<i32> = arr("pids")?
            .iter()
            .filter_map(|p| p.as_i64().and_then(|p| i32::try_from(p).ok()))
            .collect();
        let (public, ports, pids) = match (format, ports.as_slice(), pids.as_slice()) {
            (1, [_, _, c1, c2], [p1, p2]) => (None, [*c1, *c2], [*p1, *p2, 0]),
            // `public` is null when a format-1 lab was saved again (after `crash`)
            (2, [c1, c2], [p1, p2, p3]) => (
                v.get("public").and_then(|x| x.as_str()).map(str::to_string),
                [*c1, *c2],
                [*p1, *p2, *p3],
            ),
            _ => bail!("state.json: malformed"),
        };
        if disks.len() != 2 {
            bail!("state.json: malformed");
        }
        let num = |k: &str, d: u32| {
            v.get(k)
                .and_then(|m| m.as_u64())
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(d)
        };
        Ok(State {
            kernel: s("kernel")?,
            initrd: s("initrd")?,
            kmods: s("kmods")?,
            public,
            ports,
            disks: [disks[0].clone(), disks[1].clone()],
            pids,
            mem_mib: num("mem_mib", 768),
            fe_mem_mib: num("fe_mem_mib", 384),
            frontend: v.get("frontend").and_then(|f| f.as_bool()).unwrap_or(false),
            // a lab saved before the pace was measured ran at the reference pace
            pace: v
                .get("pace")
                .and_then(|f| f.as_f64())
                .filter(|f| f.is_finite())
                .unwrap_or(1.0)
                .clamp(1.0, pace::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_json_round_trip_and_format_1() {
        let st = State {
            kernel: "/k".into(),
            initrd: "/i".into(),
            kmods: "/m".into(),
            public: Some("239.255.1.2:3456".into()),
            ports: [1001, 1002],
            disks: ["/d1".into(), "/d2".into()],
            pids: [11, 12, 13],
            mem_mib: 768,
            fe_mem_mib: 384,
            frontend: true,
            pace: 2.75,
        };
        let back = State::from_json(&st.to_json()).unwrap();
        assert_eq!(back.public.as_deref(), Some("239.255.1.2:3456"));
        assert_eq!(back.pace, 2.75);
        assert_eq!(
            (back.ports, back.pids, back.frontend),
            ([1001, 1002], [11, 12, 13], true)
        );
        // an older lab's file: point-to-point public link, two pids, no front end
        let old = serde_json::json!({
            "kernel": "/k", "initrd": "/i", "kmods": "/m", "ports": [1, 2, 3, 4],
            "disks": ["/d1", "/d2"], "pids": [21, 22], "mem_mib": 768,
        });
        let o = State::from_json(&old).unwrap();
        assert_eq!(
            (o.public.clone(), o.ports, o.pids, o.frontend),
            (None, [3, 4], [21, 22, 0], false)
        );
        // a lab saved before the pace was measured ran at the reference pace
        assert_eq!(o.pace, 1.0);
        // saved again (after a crash) it stays unbootable but readable
        let again = State::from_json(&o.to_json()).unwrap();
        assert_eq!((again.public, again.pids), (None, [21, 22, 0]));
        let seg = crate::boot::new_public_segment().unwrap();
        assert!(seg.starts_with("239.255.") && seg.contains(':'), "{seg}");
    }
}
