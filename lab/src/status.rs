//! What `Lab::status` reads of a back end (DRBD, cluster state, VIP, mount, services).

/// One node's view, as `Lab::status` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeStatus {
    /// `drbdadm role pc0`, e.g. `Primary/Secondary`
    pub role: String,
    /// `drbdadm cstate pc0`, e.g. `Connected`
    pub cstate: String,
    /// `drbdadm dstate pc0`, e.g. `UpToDate/UpToDate`
    pub dstate: String,
    pub requested: String,
    pub current: String,
    pub vip: bool,
    pub mounted: bool,
    /// runit `supervise/stat` of keepalived, postgresql, redis_lb (`run`, `down`, …)
    pub keepalived: String,
    pub postgresql: String,
    pub redis_lb: String,
    /// `pg_isready` over the unix socket
    pub pg_ready: bool,
}

pub(crate) const STATUS_PROBE: &str = r#"
echo "role=$(drbdadm role pc0 2>/dev/null)"
echo "cstate=$(drbdadm cstate pc0 2>/dev/null)"
echo "dstate=$(drbdadm dstate pc0 2>/dev/null)"
echo "requested=$(cat /var/opt/opscode/keepalived/requested_cluster_status 2>/dev/null)"
echo "current=$(cat /var/opt/opscode/keepalived/current_cluster_status 2>/dev/null)"
if ip -o addr show dev eth0 | grep -q ' inet 198\.51\.100\.10/'; then echo vip=1; else echo vip=0; fi
if grep -q ' /var/opt/opscode/drbd/data ' /proc/mounts; then echo mounted=1; else echo mounted=0; fi
for s in keepalived postgresql redis_lb; do echo "$s=$(cat /opt/opscode/service/$s/supervise/stat 2>/dev/null)"; done
if pg_isready -q -h /var/run/postgresql -t 2 >/dev/null 2>&1; then echo pg_ready=1; else echo pg_ready=0; fi
"#;

impl NodeStatus {
    pub(crate) fn parse(s: &str) -> NodeStatus {
        let mut st = NodeStatus::default();
        for line in s.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = v.trim().to_string();
            match k {
                "role" => st.role = v,
                "cstate" => st.cstate = v,
                "dstate" => st.dstate = v,
                "requested" => st.requested = v,
                "current" => st.current = v,
                "vip" => st.vip = v == "1",
                "mounted" => st.mounted = v == "1",
                "keepalived" => st.keepalived = v,
                "postgresql" => st.postgresql = v,
                "redis_lb" => st.redis_lb = v,
                "pg_ready" => st.pg_ready = v == "1",
                _ => {}
            }
        }
        st
    }

    /// DRBD Connected and UpToDate on both sides.
    pub fn drbd_in_sync(&self) -> bool {
        self.cstate == "Connected" && self.dstate == "UpToDate/UpToDate"
    }

    /// A healthy master: Primary/Secondary, VIP, mounted, services up and PostgreSQL ready.
    pub fn healthy_master(&self) -> bool {
        self.drbd_in_sync()
            && self.role == "Primary/Secondary"
            && self.current == "master"
            && self.requested == "master"
            && self.vip
            && self.mounted
            && self.keepalived.starts_with("run")
            && self.postgresql.starts_with("run")
            && self.redis_lb.starts_with("run")
            && self.pg_ready
    }

    /// Serving as the master, with or without its peer: Primary, VIP, mounted, services up
    /// and PostgreSQL ready.
    pub fn serving_master(&self) -> bool {
        self.role.starts_with("Primary/")
            && self.current == "master"
            && self.vip
            && self.mounted
            && self.postgresql.starts_with("run")
            && self.redis_lb.starts_with("run")
            && self.pg_ready
    }

    /// A healthy backup: Secondary/Primary, no VIP, not mounted, HA services down.
    pub fn healthy_backup(&self) -> bool {
        self.drbd_in_sync()
            && self.role == "Secondary/Primary"
            && self.current == "backup"
            && self.requested == "backup"
            && !self.vip
            && !self.mounted
            && self.keepalived.starts_with("run")
            && self.postgresql.starts_with("down")
            && self.redis_lb.starts_with("down")
    }

    /// One line for humans.
    pub fn summary(&self) -> String {
        format!(
            "drbd {} {} {} | cluster requested={} current={} | vip={} mounted={} | keepalived={} postgresql={} redis_lb={} pg_ready={}",
            or_dash(&self.role),
            or_dash(&self.cstate),
            or_dash(&self.dstate),
            or_dash(&self.requested),
            or_dash(&self.current),
            yn(self.vip),
            yn(self.mounted),
            or_dash(&self.keepalived),
            or_dash(&self.postgresql),
            or_dash(&self.redis_lb),
            yn(self.pg_ready)
        )
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}
fn yn(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parse() {
        let s = NodeStatus::parse(
            "role=Primary/Secondary\ncstate=Connected\ndstate=UpToDate/UpToDate\nrequested=master\ncurrent=master\nvip=1\nmounted=1\nkeepalived=run\npostgresql=run\nredis_lb=run\npg_ready=1\n",
        );
        assert!(s.healthy_master());
        assert!(!s.healthy_backup());
    }
}
