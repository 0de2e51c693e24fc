//! Personal link tokens for acknowledgement and unsubscribe: `<delivery key>.<MAC>`, where the
//! MAC is HMAC-SHA256 under the server's secret key, truncated to 128 bits. Nothing usable is
//! stored in the database: a leaked database does not let anyone acknowledge or unsubscribe
//! on someone's behalf, and a resent email carries the same links.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

type HmacSha256 = Hmac<Sha256>;

const MAC_BYTES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Acknowledge,
    Unsubscribe,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::Acknowledge => b"ack:",
            Purpose::Unsubscribe => b"unsub:",
        }
    }
}

/// The secret behind every link. Never serialised, never logged.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn random() -> Self {
        use rand::RngCore;
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    /// As `LIAISON_SECRET_KEY` takes it (base64url): for a benchmark that starts more processes
    /// of one deployment, which must share the key.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// From configuration: 32 bytes, base64url or hex encoded.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()
            .filter(|b| b.len() == 32)
            .or_else(|| {
                (s.len() == 64)
                    .then(|| {
                        (0..32)
                            .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
                            .collect::<Vec<u8>>()
                    })
                    .filter(|b| b.len() == 32)
            })
            .ok_or("LIAISON_SECRET_KEY must be 32 bytes, base64url (43 characters) or hex (64 characters)")?;
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(Self(k))
    }

    /// Reads the key file, or creates it (readable by the owner only) on first start.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::parse(&text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            // Only a missing file means "first start". Any other error (permissions, a directory
            // in its place) must stop start-up: a new key would break every link already emailed.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        let key = Self::random();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        // Created with mode 0600 from the start (never readable by others, not even briefly), and
        // only if absent: two processes starting together cannot overwrite each other's key.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(URL_SAFE_NO_PAD.encode(key.0).as_bytes())?;
                file.sync_all()?;
                Ok(key)
            }
            // Another process created it between our read and our create: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path)?;
                Self::parse(&text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            }
            Err(e) => Err(e),
        }
    }

    fn mac(&self, purpose: Purpose, delivery_key: &str) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.tag());
        mac.update(delivery_key.as_bytes());
        mac
    }

    pub fn sign(&self, purpose: Purpose, delivery_key: &str) -> String {
        let tag = self.mac(purpose, delivery_key).finalize().into_bytes();
        format!("{delivery_key}.{}", URL_SAFE_NO_PAD.encode(&tag[..MAC_BYTES]))
    }

    /// The delivery key of a genuine token, compared in constant time; `None` otherwise.
    pub fn verify(&self, purpose: Purpose, token: &str) -> Option<String> {
        let (key, mac_b64) = token.split_once('.')?;
        if key.is_empty() || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let given = URL_SAFE_NO_PAD.decode(mac_b64).ok()?;
        if given.len() != MAC_BYTES {
            return None;
        }
        self.mac(purpose, key).verify_truncated_left(&given).ok()?;
        Some(key.to_string())
    }
}

/// Creates a directory (and its parents) readable by its owner only (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_key_purpose_and_delivery() {
        let k = TokenKey::random();
        let t = k.sign(Purpose::Acknowledge, "abc123");
        assert_eq!(k.verify(Purpose::Acknowledge, &t).as_deref(), Some("abc123"));
        assert_eq!(k.verify(Purpose::Unsubscribe, &t), None, "purposes are separate");
        assert_eq!(
            TokenKey::random().verify(Purpose::Acknowledge, &t),
            None,
            "another server's key"
        );
        assert_eq!(k.verify(Purpose::Acknowledge, &t[..t.len() - 1]), None, "truncated");
        assert_eq!(
            k.verify(Purpose::Acknowledge, &t.replace("abc123", "abc124")),
            None,
            "another delivery"
        );
        assert_eq!(k.verify(Purpose::Acknowledge, "garbage"), None);
    }

    #[test]
    fn keys_parse_from_configuration() {
        let k = TokenKey::random();
        let again = TokenKey::parse(&k.encode()).expect("an encoded key parses");
        let t = k.sign(Purpose::Acknowledge, "abc123");
        assert_eq!(
            again.verify(Purpose::Acknowledge, &t).as_deref(),
            Some("abc123"),
            "the same key"
        );
        assert!(TokenKey::parse("short").is_err());
        assert!(TokenKey::parse(&"ab".repeat(32)).is_ok());
    }

    #[test]
    fn the_key_file_is_private_created_once_and_never_replaced_on_a_read_error() {
        let dir = tempfile_dir();
        let path = dir.join("data").join("secret.key");
        let first = TokenKey::load_or_create(&path).expect("created");
        let again = TokenKey::load_or_create(&path).expect("read back");
        assert_eq!(first.0, again.0, "the same key on the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "key file mode");
            let dir_mode = std::fs::metadata(path.parent().expect("parent"))
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700, "data directory mode");
        }
        // A directory where the key should be: a read error that is not "not found" stops
        // start-up instead of generating a new key.
        let blocked = dir.join("blocked");
        std::fs::create_dir_all(&blocked).expect("dir");
        assert!(TokenKey::load_or_create(&blocked).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "liaison-key-test-{}",
            super::URL_SAFE_NO_PAD.encode(TokenKey::random().0)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
