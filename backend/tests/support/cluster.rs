//! A three-server nats-server 2.15 cluster for tests: routes, JetStream, monitoring ports; in
//! operator mode with the system account, resolving accounts through a console's URL resolver
//! (optionally a leaf node server connected to the first), or with no accounts of its own.

use std::path::PathBuf;

use super::{free_port, nats_server_pypi, Deployment, NatsServer};

pub struct ClusterNode {
    pub name: String,
    pub client_port: u16,
    pub monitor_port: u16,
    config: String,
    pub server: Option<NatsServer>,
}

pub struct Cluster {
    pub nodes: Vec<ClusterNode>,
    /// The leaf node port of the first server.
    pub leaf_port: u16,
}

impl Cluster {
    /// Writes the configuration of three servers `<prefix>-1..3` resolving through `resolver_url`;
    /// none started yet (a console may need the client ports first).
    pub fn plan(d: &Deployment, prefix: &str, resolver_url: &str) -> Cluster {
        Cluster::plan_with(prefix, &d.url_resolver_config(resolver_url))
    }

    /// Three servers `<prefix>-1..3` with JetStream and no accounts of their own (what a
    /// key-value store runs on); none started yet.
    pub fn plan_jetstream(prefix: &str) -> Cluster {
        Cluster::plan_with(prefix, "")
    }

    fn plan_with(prefix: &str, auth: &str) -> Cluster {
        let route_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let leaf_port = free_port();
        let nodes = (0..3)
            .map(|i| {
                let name = format!("{prefix}-{}", i + 1);
                let (client_port, monitor_port) = (free_port(), free_port());
                let routes: Vec<String> = route_ports
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| format!("nats-route://127.0.0.1:{p}"))
                    .collect();
                let store = std::env::temp_dir().join(format!(
                    "nats-console-js-{name}-{}",
                    std::process::id()
                ));
                let leaf = if i == 0 {
                    format!("leafnodes {{ listen: 127.0.0.1:{leaf_port} }}\n")
                } else {
                    String::new()
                };
                let config = format!(
                    "server_name: {name}\nlisten: 127.0.0.1:{client_port}\nhttp: 127.0.0.1:{monitor_port}\n\
                     cluster {{ name: {prefix}, listen: 127.0.0.1:{}, routes: [{}] }}\n\
                     jetstream {{ store_dir: {:?} }}\n{leaf}{}",
                    route_ports[i],
                    routes.join(", "),
                    store.display(),
                    auth
                );
                ClusterNode {
                    name,
                    client_port,
                    monitor_port,
                    config,
                    server: None,
                }
            })
            .collect();
        Cluster { nodes, leaf_port }
    }

    pub fn start_all(&mut self) {
        for i in 0..self.nodes.len() {
            self.start(i);
        }
    }

    /// Starts (or restarts) node `i` with its configuration, on its ports.
    pub fn start(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        node.server = Some(NatsServer::start(
            &nats_server_pypi(),
            &node.name,
            &node.config,
        ));
    }

    /// Waits until every running node knows the JetStream meta leader (a bucket can be made).
    pub fn wait_for_jetstream(&self) {
        let ready = super::eventually(std::time::Duration::from_secs(30), || {
            self.nodes.iter().filter(|n| n.server.is_some()).all(|n| {
                let r = super::http(n.monitor_port, "GET", "/jsz", &[], b"");
                serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|v| {
                    v["meta_cluster"]["leader"]
                        .as_str()
                        .is_some_and(|l| !l.is_empty())
                })
            })
        });
        assert!(
            ready,
            "the JetStream cluster elected no meta leader within 30 s"
        );
    }

    /// Stops node `i` (by its pid).
    pub fn stop(&mut self, i: usize) {
        self.nodes[i].server = None;
    }

    pub fn url(&self, i: usize) -> String {
        format!("nats://127.0.0.1:{}", self.nodes[i].client_port)
    }

    /// A leaf node server (no operator of its own) connected to the first node's leaf port as
    /// the user of `creds`.
    pub fn start_leaf(&self, name: &str, creds: &str) -> NatsServer {
        let file: PathBuf = std::env::temp_dir().join(format!(
            "nats-console-leaf-{name}-{}.creds",
            std::process::id()
        ));
        std::fs::write(&file, creds).unwrap();
        NatsServer::start(
            &nats_server_pypi(),
            name,
            &format!(
                "server_name: {name}\nleafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:{}\", credentials: {:?} }} ] }}\n",
                self.leaf_port,
                file.display()
            ),
        )
    }
}
