//! Who is on the other end of a request: the TCP peer, or, when that peer is a proxy we were
//! told to trust (`LIAISON_TRUSTED_PROXIES`), the client it names in `X-Forwarded-For` or
//! `Forwarded`. Sign-in throttling keys on this address, so behind a TLS proxy it must be the
//! browser's, not the proxy's (otherwise a few wrong passwords lock out everyone).
use std::net::IpAddr;

/// An address or a CIDR range (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or range like 10.0.0.0/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    /// A comma- or space-separated list.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, String> {
        s.split([',', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(Self::parse)
            .collect()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(self.network), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u32::from(n).into(), self.prefix, 32) == masked(u32::from(a).into(), self.prefix, 32)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(n), self.prefix, 128) == masked(u128::from(a), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, prefix: u8, width: u32) -> u128 {
    let prefix = u32::from(prefix).min(width);
    if prefix == 0 {
        return 0;
    }
    bits >> (width - prefix)
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client address of a request. `forwarded_for` are the values of every `X-Forwarded-For`
/// header, `forwarded` those of `Forwarded` (RFC 7239), in the order received. Headers are only
/// believed when the peer is a trusted proxy; then the chain is read from the right (the
/// nearest hop), skipping trusted proxies, and the first untrusted address is the client. A
/// client cannot forge its way past this: whatever it writes on the left is never reached
/// while an untrusted address stands to its right.
pub fn client_address(peer: IpAddr, trusted: &[IpRange], forwarded_for: &[&str], forwarded: &[&str]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let mut chain: Vec<IpAddr> = if !forwarded.is_empty() {
        forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(forwarded_for_param)
            .collect()
    } else {
        forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|a| parse_node(a.trim()))
            .collect()
    };
    let mut client = peer;
    while let Some(hop) = chain.pop() {
        client = hop;
        if !is_trusted(hop) {
            break;
        }
    }
    canonical(client)
}

/// The `for=` parameter of one `Forwarded` element.
fn forwarded_for_param(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(v.trim().trim_matches('"')))
            .flatten()
    })
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    s.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = IpRange::parse("10.0.0.0/8").expect("range");
        assert!(r.contains(ip("10.1.2.3")) && !r.contains(ip("11.0.0.1")));
        assert!(r.contains(ip("::ffff:10.0.0.9")), "IPv4-mapped");
        assert!(IpRange::parse("::1").expect("v6").contains(ip("::1")));
        assert!(IpRange::parse("0.0.0.0/0").expect("all").contains(ip("8.8.8.8")));
        assert!(IpRange::parse("fd00::/8").expect("v6 range").contains(ip("fd12::1")));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x", "::1/129"] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IpRange::parse_list("127.0.0.1, 10.0.0.0/8").expect("list").len(), 2);
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let proxies = IpRange::parse_list("127.0.0.1,10.0.0.0/8").expect("list");
        // Untrusted peer: its headers are ignored, whatever they say.
        assert_eq!(
            client_address(ip("203.0.113.9"), &proxies, &["1.2.3.4"], &[]),
            ip("203.0.113.9")
        );
        // Trusted proxy: the nearest untrusted hop is the client.
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &["198.51.100.7"], &[]),
            ip("198.51.100.7")
        );
        // A forged entry on the left is not reached.
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &["6.6.6.6, 198.51.100.7, 10.0.0.2"], &[]),
            ip("198.51.100.7")
        );
        // Several headers are one list, in order.
        assert_eq!(
            client_address(ip("10.0.0.1"), &proxies, &["6.6.6.6", "198.51.100.8"], &[]),
            ip("198.51.100.8")
        );
        // RFC 7239, with ports and IPv6 brackets.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &proxies,
                &[],
                &[r#"for="[2001:db8::7]:4711";proto=https, for=10.0.0.3"#]
            ),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &[], &["for=192.0.2.60:80;by=10.0.0.1"]),
            ip("192.0.2.60")
        );
        // No header: the proxy itself.
        assert_eq!(client_address(ip("127.0.0.1"), &proxies, &[], &[]), ip("127.0.0.1"));
        // Garbage is skipped, never trusted.
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &["not-an-ip"], &[]),
            ip("127.0.0.1")
        );
    }
}
