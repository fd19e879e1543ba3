//! The provider's HTML: the login form and the logged-out page. Plain server-side
//! HTML with no script, in the person's language.

use super::AuthRequest;
use app::i18n::Locale;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn document(locale: Locale, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
         <body><main id=\"main\" class=\"mx-auto w-full max-w-xl px-4 py-8\">{body}</main></body></html>",
        lang = locale.code(),
        title = esc(title),
    )
}

pub fn login_page(req: &AuthRequest, persons: &[(String, String)], t: Locale, error: Option<&str>) -> String {
    let hidden = [
        ("client_id", &req.client_id),
        ("redirect_uri", &req.redirect_uri),
        ("state", &req.state),
        ("nonce", &req.nonce),
        ("code_challenge", &req.code_challenge),
        ("scope", &req.scope),
        ("acr_values", &req.acr_values),
        ("ui_locales", &req.ui_locales),
    ]
    .iter()
    .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
    .collect::<String>();
    let people = persons
        .iter()
        .enumerate()
        .map(|(i, (pid, name))| {
            format!(
                "<div class=\"py-1\"><input type=\"radio\" id=\"p{i}\" name=\"pid\" value=\"{pid}\"{checked}> \
                 <label for=\"p{i}\">{name} <span class=\"text-gray-700\">({pid})</span></label></div>",
                pid = esc(pid),
                name = esc(name),
                checked = if i == 0 { " checked" } else { "" },
            )
        })
        .collect::<String>();
    let error_html = error.map(|e| format!("<div role=\"alert\" class=\"ds-alert my-4\" data-color=\"danger\"><p>{}</p></div>", esc(e))).unwrap_or_default();
    let body = format!(
        "<h1 class=\"text-2xl font-bold\">{title}</h1>\
         <p class=\"ds-alert my-4\" data-color=\"warning\">{warning}</p>{error_html}\
         <form method=\"post\" class=\"flex flex-col gap-4\">{hidden}\
         <fieldset><legend class=\"font-semibold\">{pick}</legend>{people}</fieldset>\
         <p>{or_enter}</p>\
         <div class=\"flex flex-col\"><label for=\"pid_manual\" class=\"font-semibold\">{nin_label}</label>\
         <input id=\"pid_manual\" name=\"pid_manual\" class=\"ds-input\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"11\"></div>\
         <div class=\"flex flex-col\"><label for=\"name\" class=\"font-semibold\">{name_label}</label>\
         <input id=\"name\" name=\"name\" class=\"ds-input\" autocomplete=\"name\" maxlength=\"100\"></div>\
         <div class=\"flex flex-col\"><label for=\"acr\" class=\"font-semibold\">{level_label}</label>\
         <select id=\"acr\" name=\"acr\" class=\"ds-input\"><option value=\"idporten-loa-substantial\">{substantial}</option>\
         <option value=\"idporten-loa-high\">{high}</option></select></div>\
         <div class=\"flex gap-2\"><button type=\"submit\" class=\"ds-button\" data-variant=\"primary\">{submit}</button>\
         <button type=\"submit\" name=\"cancel\" value=\"1\" class=\"ds-button\" data-variant=\"secondary\">{cancel}</button></div>\
         </form>",
        title = esc(t.t("idp.title")),
        warning = esc(t.t("idp.warning")),
        pick = esc(t.t("idp.pick_person")),
        or_enter = esc(t.t("idp.or_enter")),
        nin_label = esc(t.t("idp.nin_label")),
        name_label = esc(t.t("idp.name_label")),
        level_label = esc(t.t("idp.level_label")),
        substantial = esc(t.t("idp.level_substantial")),
        high = esc(t.t("idp.level_high")),
        submit = esc(t.t("idp.submit")),
        cancel = esc(t.t("idp.cancel")),
    );
    document(t, t.t("idp.title"), &body)
}

pub fn logged_out_page(t: Locale) -> String {
    document(t, t.t("idp.title"), &format!("<h1 class=\"text-2xl font-bold\">{}</h1><p>{}</p>", esc(t.t("idp.title")), esc(t.t("idp.logged_out"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_and_names_are_escaped() {
        let req = AuthRequest {
            client_id: "c".into(),
            redirect_uri: "https://x/cb".into(),
            state: "\"><script>".into(),
            nonce: "n".into(),
            code_challenge: "x".repeat(43),
            scope: "openid".into(),
            acr_values: "idporten-loa-substantial".into(),
            ui_locales: String::new(),
        };
        let html = login_page(&req, &[("1".into(), "<b>Eve</b>".into())], Locale::En, Some("<i>"));
        assert!(!html.contains("<script>") && !html.contains("<b>Eve") && !html.contains("<i>"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;"));
        assert!(html.contains("lang=\"en\""));
    }
}
