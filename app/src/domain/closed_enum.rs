//! One macro for the closed sets of values the domain names (kinds, states, channels…): each
//! variant has a stable key (stored in the database, used in forms and URLs) and a label.

/// Defines a closed set of values with a stable storage key and a human label.
macro_rules! closed_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The key stored in the database and used in forms and URLs.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The key or the label as a spreadsheet has it: case, spaces, hyphens and
            /// underscores ignored ("Acute trust", "acute-trust", "ACUTE_TRUST").
            pub fn from_text(raw: &str) -> Option<Self> {
                let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
                let n = norm(raw);
                Self::ALL.iter().copied().find(|v| norm(v.key()) == n || norm(v.label()) == n)
            }

            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim() {
                    $($key => Ok($name::$variant),)+
                    "" => Err(format!("Select {}", $what)),
                    _ => Err(format!("Select {} from the list", $what)),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use closed_enum;
