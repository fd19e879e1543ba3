//! The translated texts a service shows for its stored values: the title in
//! the reader's language, a rule's effect and the policy's combining algorithm.

use crate::i18n::Locale;

pub(super) fn effect_text(locale: Locale, effect: &str) -> &'static str {
    if effect == "Deny" {
        locale.t("resources.effect_deny")
    } else {
        locale.t("resources.effect_permit")
    }
}

pub(super) fn combining_text(locale: Locale, c: &str) -> &'static str {
    match c {
        "permit-overrides" => locale.t("resources.combining.permit_overrides"),
        "first-applicable" => locale.t("resources.combining.first_applicable"),
        "deny-unless-permit" => locale.t("resources.combining.deny_unless_permit"),
        "permit-unless-deny" => locale.t("resources.combining.permit_unless_deny"),
        _ => locale.t("resources.combining.deny_overrides"),
    }
}
