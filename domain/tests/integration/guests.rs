//! Sponsors and short-term guests at the demo university: Sara Sponsor
//! (sponsor for the Faculty of Natural Sciences) registers guests, sees them,
//! extends and ends their stays; every bad input is refused, audited and
//! changes nothing; the director appoints sponsors and a help desk, who
//! registers on a sponsor's behalf.

use domain::clock::FixedClock;
use domain::guests::lifecycle::AccountState;
use domain::guests::registration::GuestForRegister;
use domain::guests::service::{end_now, extend, my_guests, register, sponsorship, Registration};
use domain::guests::{sponsors, GuestError};
use sqlx::PgPool;
use std::sync::Arc;
use test_support::demo as people;
use time::macros::{date, datetime};
use time::Date;

const TODAY: Date = date!(2026 - 12 - 05);

/// A change that makes a good registration bad.
type Change = fn(&mut Registration);

fn guest(given: &str, surname: &str, email: &str, start: Date, end: Date) -> Registration {
    Registration {
        guest: GuestForRegister {
            given_name: given.into(),
            surname: surname.into(),
            email: email.into(),
            start: Some(start),
            end: Some(end),
            ..Default::default()
        },
        unit: "NAT-KJEM".into(),
        sponsor: None,
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The stored state of a guest account.
async fn state(pool: &PgPool, account: uuid::Uuid) -> String {
    sqlx::query_scalar("select state from guest_account where id = $1").bind(account).fetch_one(pool).await.unwrap()
}

fn fields(e: GuestError) -> Vec<&'static str> {
    match e {
        GuestError::Invalid(f) => f.into_iter().map(|(f, _)| f).collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_sponsor_registers_sees_extends_and_ends_guests_and_bad_input_changes_nothing(pool: PgPool) {
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);

    let mine = sponsorship(&sara).await.unwrap();
    assert!(!mine.help_desk);
    assert_eq!(mine.units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["NAT", "NAT-KJEM"], "her faculty and the unit below it");

    let aase = register(&sara, &guest("Åse", "Ødegård", "Aase@Example.org", TODAY, date!(2026 - 12 - 19))).await.unwrap();
    assert_eq!(aase.username, "aodegaard", "first letter, surname, folded to ASCII (å is aa)");
    assert_eq!(aase.invite_on, TODAY, "invited at once by default");
    let anders = register(&sara, &guest("Anders", "Ødegaard", "anders@example.org", date!(2026 - 12 - 10), date!(2027 - 01 - 09))).await.unwrap();
    assert_eq!(anders.username, "aodegaard2", "a number when the username is taken");

    // Every bad input: refused, named, nothing changed.
    let accounts = "select count(*) from guest_account";
    let persons = "select count(*) from party where kind = 'person'";
    let (before, persons_before) = (count(&pool, accounts).await, count(&pool, persons).await);
    let bad = |f: Change| {
        let mut r = guest("Berit", "Besøk", "berit@example.org", TODAY, date!(2026 - 12 - 20));
        f(&mut r);
        r
    };
    let cases: [(Change, &str); 8] = [
        (|r| r.guest.end = Some(date!(2027 - 01 - 05)), "end"),
        (|r| r.guest.end = Some(date!(2026 - 12 - 04)), "end"),
        (|r| r.guest.start = Some(date!(2026 - 12 - 04)), "start"),
        (|r| r.guest.email = "berit@".into(), "email"),
        (|r| r.guest.mobile = "12".into(), "mobile"),
        (|r| r.guest.national_id = "11839110084".into(), "national_id"),
        (|r| r.guest.given_name = " ".into(), "given_name"),
        (|r| r.unit = "NOPE".into(), "unit"),
    ];
    for (change, field) in cases {
        let e = register(&sara, &bad(change)).await.expect_err(field);
        assert!(fields(e).contains(&field), "{field}");
    }
    let mut dup = guest("Åse", "Ødegård", "aase@example.org", TODAY, date!(2026 - 12 - 19));
    assert!(matches!(register(&sara, &dup).await, Err(GuestError::AlreadyRegistered)), "the same person twice");
    dup.guest.given_name = "Åsa".into();
    assert!(matches!(register(&sara, &dup).await, Err(GuestError::EmailTaken)), "another person's e-mail");
    let mut library = bad(|_| {});
    library.unit = "UB".into();
    assert!(matches!(register(&sara, &library).await, Err(GuestError::UnitNotYours(u)) if u == "UB"), "a unit she does not sponsor for");
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, university);
    assert!(matches!(register(&gunn, &bad(|_| {})).await, Err(GuestError::NotSponsor)));
    assert_eq!((count(&pool, accounts).await, count(&pool, persons).await), (before, persons_before), "nothing changed");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.register' and outcome = 'refused'").await, 12);

    // A guest with a national identity number is the person the register knows.
    let mut gunn_as_guest = guest("Gunn", "Gjest", "gunn@example.org", TODAY, date!(2026 - 12 - 08));
    gunn_as_guest.guest.national_id = people::GUNN.into();
    gunn_as_guest.guest.mobile = "912 34 567".into();
    register(&sara, &gunn_as_guest).await.unwrap();
    let gunn_id = test_support::person(&pool, people::GUNN).await;
    let contact: (String, String) =
        sqlx::query_as("select email, mobile from person_contact where person_id = $1").bind(gunn_id.0).fetch_one(&pool).await.unwrap();
    assert_eq!(contact, ("gunn@example.org".into(), "+4791234567".into()));
    let mut taken_mobile = bad(|_| {});
    taken_mobile.guest.mobile = "91234567".into();
    assert!(matches!(register(&sara, &taken_mobile).await, Err(GuestError::MobileTaken)));

    // My guests: in force, by end date; Gunn's ends within the notice window.
    let listed = my_guests(&sara).await.unwrap();
    assert_eq!(listed.iter().map(|g| g.username.as_str()).collect::<Vec<_>>(), ["ggjest", "aodegaard", "aodegaard2"]);
    assert!(listed.iter().all(|g| g.state == AccountState::Invited && g.sponsor_name == "Sara Sponsor"));
    assert_eq!(listed[1].email.as_deref(), Some("aase@example.org"), "kept lower case");
    assert_eq!(listed[1].unit.en, "Department of Chemistry");

    // Extend within the maximum; not beyond, not earlier.
    let a = aase.account.to_string();
    assert_eq!(extend(&sara, &a, Some(date!(2027 - 01 - 04))).await.unwrap(), date!(2027 - 01 - 04));
    assert_eq!(fields(extend(&sara, &a, Some(date!(2027 - 01 - 05))).await.unwrap_err()), ["end"]);
    assert_eq!(fields(extend(&sara, &a, Some(date!(2026 - 12 - 20))).await.unwrap_err()), ["end"]);
    assert!(matches!(extend(&gunn, &a, Some(date!(2027 - 01 - 01))).await, Err(GuestError::NotSponsor)));

    // End now, with a reason; then it is ended and stays so.
    assert_eq!(fields(end_now(&sara, &a, "  ").await.unwrap_err()), ["reason"]);
    end_now(&sara, &a, "Oppholdet ble avlyst").await.unwrap();
    assert!(matches!(end_now(&sara, &a, "igjen").await, Err(GuestError::NotInForce)));
    assert!(matches!(extend(&sara, &a, Some(date!(2026 - 12 - 30))).await, Err(GuestError::NotInForce)));
    assert!(matches!(end_now(&sara, "not-an-id", "x").await, Err(GuestError::NotFound)));
    let transitions: Vec<(Option<String>, String, String)> =
        sqlx::query_as("select from_state, to_state, reason from guest_account_transition where account_id = $1 order by at, id")
            .bind(aase.account)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(transitions, [(None, "invited".into(), "registered".into()), (Some("invited".into()), "deactivated".into(), "Oppholdet ble avlyst".into())]);

    // A returning guest is the same identity with the same username.
    let again = register(&sara, &guest("Åse", "Ødegård", "aase@example.org", date!(2027 - 02 - 01), date!(2027 - 02 - 10))).await.unwrap();
    assert_eq!(again.username, "aodegaard");
    assert_ne!(again.account, aase.account);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_director_appoints_sponsors_and_a_help_desk_registers_for_them(pool: PgPool) {
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let ada = test_support::acting(&services, test_support::person(&pool, people::ADA).await, university);
    let sara_id = test_support::person(&pool, people::SARA).await;
    let sara = test_support::acting(&services, sara_id, university);

    assert!(matches!(sponsorship(&ada).await, Err(GuestError::NotSponsor)), "the director is no sponsor until appointed");
    let desk = sponsors::appoint(&ada, people::ADA, "Rektor", "").await.unwrap();
    assert!(matches!(sponsors::appoint(&ada, people::ADA, "Rektor", " ").await, Err(GuestError::AlreadySponsor)));
    assert!(matches!(sponsors::appoint(&ada, people::GUNN, "Feil", "UB").await, Err(GuestError::NoSuchPerson)));
    assert_eq!(fields(sponsors::appoint(&ada, people::GUNN, "Gjest", "NOPE").await.unwrap_err()), ["unit"]);
    let listed = sponsors::sponsors(&ada).await.unwrap();
    let shown: Vec<(&str, Option<&str>)> = listed.iter().map(|s| (s.person_name.as_str(), s.unit.as_ref().map(|(c, _)| c.as_str()))).collect();
    assert_eq!(shown, [("Ada Rektor", None), ("Sara Sponsor", Some("NAT"))]);

    // The help desk registers for any unit, on behalf of a sponsor of that unit.
    let desk_view = sponsorship(&ada).await.unwrap();
    assert!(desk_view.help_desk);
    assert_eq!(desk_view.units.len(), 4, "every unit");
    assert_eq!(domain::guests::service::sponsors_to_choose(&ada).await.unwrap(), [(sara_id.0, "Sara Sponsor".to_string())]);
    let mut r = guest("Hanne", "Hjelp", "hanne@example.org", TODAY, date!(2026 - 12 - 12));
    r.sponsor = Some(sara_id.0);
    register(&ada, &r).await.unwrap();
    assert_eq!(my_guests(&sara).await.unwrap()[0].username, "hhjelp", "Sara's guest, registered by the help desk");
    let mut elsewhere = guest("Ivar", "Ikke", "ivar@example.org", TODAY, date!(2026 - 12 - 12));
    elsewhere.unit = "UB".into();
    elsewhere.sponsor = Some(sara_id.0);
    assert!(matches!(register(&ada, &elsewhere).await, Err(GuestError::SponsorNotForUnit)));
    elsewhere.sponsor = None;
    assert_eq!(fields(register(&ada, &elsewhere).await.unwrap_err()), ["sponsor"], "the help desk names the sponsor");

    // Someone who is no access manager appoints nobody; an ended sponsor registers no more.
    let gunn = test_support::acting(&services, test_support::person(&pool, people::GUNN).await, university);
    assert!(matches!(sponsors::appoint(&gunn, people::GUNN, "Gjest", "UB").await, Err(GuestError::NotAccessManager)));
    assert!(matches!(sponsors::sponsors(&gunn).await, Err(GuestError::NotAccessManager)));
    let saras = listed.iter().find(|s| s.person_name == "Sara Sponsor").unwrap().id.to_string();
    assert!(matches!(sponsors::end(&gunn, &saras).await, Err(GuestError::NotAccessManager)));
    sponsors::end(&ada, &saras).await.unwrap();
    assert!(matches!(sponsors::end(&ada, &saras).await, Err(GuestError::SponsorNotFound)));
    assert!(matches!(sponsorship(&sara).await, Err(GuestError::NotSponsor)));
    sponsors::end(&ada, &desk.to_string()).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'sponsor.%' and outcome = 'success'").await, 3);
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'sponsor.%' and outcome = 'refused'").await, 6);
}

/// The e-mails the mail job sends, kept instead.
#[derive(Default)]
struct Outbox(std::sync::Mutex<Vec<(String, String)>>);

impl domain::notifications::MailSender for Outbox {
    async fn send(&self, to: &str, _subject: &str, body: &str) -> Result<(), String> {
        self.0.lock().unwrap().push((to.to_string(), body.to_string()));
        Ok(())
    }
}

impl Outbox {
    /// Runs the mail job and answers the last e-mail to `to`.
    async fn deliver(&self, services: &domain::Services, to: &str) -> String {
        domain::notifications::deliver_due(&services.for_operator("mail"), self, "http://portal.test", 50).await.unwrap();
        self.0.lock().unwrap().iter().rev().find(|(t, _)| t == to).map(|(_, b)| b.clone()).unwrap_or_else(|| panic!("no e-mail to {to}"))
    }
}

/// The claim link's token in an invitation.
fn token_in(body: &str) -> String {
    body.split("/gjest/").nth(1).unwrap().split_whitespace().next().unwrap().to_string()
}

/// The first six digits in a text.
fn code_in(text: &str) -> String {
    text.as_bytes().windows(6).find(|w| w.iter().all(u8::is_ascii_digit)).map(|w| String::from_utf8(w.to_vec()).unwrap()).unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn guests_claim_by_code_or_by_login_and_bad_claims_are_refused(pool: PgPool) {
    use domain::guests::claim::{self, SmsOutbox};
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let anyone = services.for_operator("claim link");
    let mail = Outbox::default();

    // Åse has a mobile: her code goes by text message.
    let mut aase = guest("Åse", "Ødegård", "aase@example.org", TODAY, date!(2026 - 12 - 19));
    aase.guest.mobile = "91234567".into();
    let account = register(&sara, &aase).await.unwrap().account;
    let token = token_in(&mail.deliver(&services, "aase@example.org").await);
    let seen = claim::open(&anyone, &token).await.unwrap();
    assert!(!seen.by_login && seen.guest_name == "Åse Ødegård" && seen.username == "aodegaard");
    assert_eq!((seen.code_to.as_deref(), seen.terms.as_ref().map(|(v, _)| *v)), (Some("•••••567"), Some(1)));
    let hashes: i64 = sqlx::query_scalar("select count(*) from guest_claim_link where token_hash = sha256(convert_to($1, 'UTF8'))")
        .bind(&token)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(hashes, 1, "the link is kept as its SHA-256 only");

    assert_eq!(fields(claim::claim_with_code(&anyone, &token, "123456", Some(1)).await.unwrap_err()), ["one_time_code"], "no code asked for yet");
    let invited: (String, String) = sqlx::query_as("select to_number, body from sms_outbox").fetch_one(&pool).await.unwrap();
    assert_eq!(invited.0, "+4791234567", "a text message says where the invitation went");
    assert!(invited.1.contains("Universitetet i Fjordby har registrert deg som gjest") && invited.1.contains("a•••@example.org"), "{}", invited.1);
    assert_eq!(claim::send_code(&anyone, &token, &SmsOutbox).await.unwrap(), "•••••567");
    let sms: (String, String) =
        sqlx::query_as("select to_number, body from sms_outbox where body not like '%registrert deg som gjest%'").fetch_one(&pool).await.unwrap();
    assert_eq!(sms.0, "+4791234567");
    let code = code_in(&sms.1);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(fields(claim::claim_with_code(&anyone, &token, wrong, Some(1)).await.unwrap_err()), ["one_time_code"]);
    assert_eq!(fields(claim::claim_with_code(&anyone, &token, &code, None).await.unwrap_err()), ["terms"], "the terms must be accepted");
    let claimed = claim::claim_with_code(&anyone, &token, &code, Some(1)).await.unwrap();
    assert_eq!(claimed.username, "aodegaard");
    let (state, terms): (String, Option<i32>) =
        sqlx::query_as("select state, terms_version from guest_account where id = $1").bind(account).fetch_one(&pool).await.unwrap();
    assert_eq!((state.as_str(), terms), ("active", Some(1)));
    // Active, she holds the university's guest role: the engine lets her act for it.
    let aase_id: uuid::Uuid = sqlx::query_scalar("select person_id from guest_account where id = $1").bind(account).fetch_one(&pool).await.unwrap();
    let role: String = sqlx::query_scalar(
        "select r.code from guest_account a join user_role_assignment ra on ra.id = a.role_assignment_id join user_role r on r.id = ra.role_id where a.id = $1",
    )
    .bind(account)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(role, "fjordby-gjest");
    assert!(domain::authorized_parties::may_act_for(&anyone.snapshot(), aase_id, university.0).is_some(), "the guest role counts at once");
    assert!(matches!(claim::claim_with_code(&anyone, &token, &code, Some(1)).await, Err(GuestError::LinkNotValid)), "used once");
    assert!(matches!(claim::open(&anyone, &token).await, Err(GuestError::LinkNotValid)));

    // Ended by her sponsor: the role ends with the account.
    end_now(&sara, &account.to_string(), "Besøket ble kortere").await.unwrap();
    assert!(domain::authorized_parties::may_act_for(&anyone.snapshot(), aase_id, university.0).is_none(), "no guest role after the end");

    // Berit has no mobile: her code goes by e-mail, made as it is sent.
    register(&sara, &guest("Berit", "Besøk", "berit@example.org", TODAY, date!(2026 - 12 - 19))).await.unwrap();
    let token = token_in(&mail.deliver(&services, "berit@example.org").await);
    assert_eq!(claim::send_code(&anyone, &token, &SmsOutbox).await.unwrap(), "b•••@example.org");
    let code = code_in(&mail.deliver(&services, "berit@example.org").await);
    claim::claim_with_code(&anyone, &token, &code, Some(1)).await.unwrap();

    // Five wrong codes end the link.
    register(&sara, &guest("Cato", "Feil", "cato@example.org", TODAY, date!(2026 - 12 - 19))).await.unwrap();
    let token = token_in(&mail.deliver(&services, "cato@example.org").await);
    claim::send_code(&anyone, &token, &SmsOutbox).await.unwrap();
    let code = code_in(&mail.deliver(&services, "cato@example.org").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(fields(claim::claim_with_code(&anyone, &token, wrong, Some(1)).await.unwrap_err()), ["one_time_code"]);
    }
    assert!(matches!(claim::claim_with_code(&anyone, &token, wrong, Some(1)).await, Err(GuestError::TooManyAttempts)));
    assert!(matches!(claim::claim_with_code(&anyone, &token, &code, Some(1)).await, Err(GuestError::LinkNotValid)), "not even the right code now");

    // Sent again: the old link ends; a link expires after seven days.
    let dina = register(&sara, &guest("Dina", "Dobbel", "dina@example.org", TODAY, date!(2026 - 12 - 19))).await.unwrap().account;
    let first = token_in(&mail.deliver(&services, "dina@example.org").await);
    domain::guests::service::resend_invitation(&sara, &dina.to_string()).await.unwrap();
    let second = token_in(&mail.deliver(&services, "dina@example.org").await);
    assert!(matches!(claim::open(&anyone, &first).await, Err(GuestError::LinkNotValid)), "replaced");
    assert!(claim::open(&anyone, &second).await.is_ok());
    clock.advance(time::Duration::days(8));
    assert!(matches!(claim::open(&anyone, &second).await, Err(GuestError::LinkNotValid)), "expired");
    assert!(matches!(claim::open(&anyone, "not-a-token").await, Err(GuestError::LinkNotValid)));
    clock.advance(time::Duration::days(-8));

    // Gunn has a national identity number: she claims by logging in, as herself.
    let mut gunn = guest("Gunn", "Gjest", "gunn@example.org", TODAY, date!(2026 - 12 - 19));
    gunn.guest.national_id = people::GUNN.into();
    register(&sara, &gunn).await.unwrap();
    let token = token_in(&mail.deliver(&services, "gunn@example.org").await);
    assert!(claim::open(&anyone, &token).await.unwrap().by_login);
    assert!(matches!(claim::send_code(&anyone, &token, &SmsOutbox).await, Err(GuestError::LoginRequired)));
    assert!(matches!(claim::claim_with_code(&anyone, &token, "123456", Some(1)).await, Err(GuestError::LoginRequired)));
    let as_sara = services.for_person(test_support::person(&pool, people::SARA).await, "Sara Sponsor", None, None);
    assert!(matches!(claim::claim_with_login(&as_sara, &token, Some(1)).await, Err(GuestError::WrongPerson)), "another person's login");
    let as_gunn = services.for_person(test_support::person(&pool, people::GUNN).await, "Gunn Gjest", None, None);
    assert_eq!(fields(claim::claim_with_login(&as_gunn, &token, None).await.unwrap_err()), ["terms"]);
    assert_eq!(claim::claim_with_login(&as_gunn, &token, Some(1)).await.unwrap().username, "ggjest");

    let claims: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'guest.claim' and outcome = 'success'").fetch_one(&pool).await.unwrap();
    assert_eq!(claims, 3);
    let refused: i64 = sqlx::query_scalar("select count(*) from audit_event where action in ('guest.claim', 'guest.code') and outcome = 'refused'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(refused, 14, "every refused claim is audited");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_lifecycle_job_invites_gives_notice_once_deactivates_and_deletes_on_the_clock(pool: PgPool) {
    use domain::guests::jobs::run;
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let job = services.for_operator("guest lifecycle");
    let day = |n: i64| TODAY + time::Duration::days(n);
    // The university invites three days before the start.
    sqlx::query("update guest_policy set invite_days_before = 3").execute(&pool).await.unwrap();

    let now = register(&sara, &guest("Åse", "Nå", "aase@example.org", TODAY, day(20))).await.unwrap();
    let later = register(&sara, &guest("Lars", "Senere", "lars@example.org", day(10), day(25))).await.unwrap();
    assert_eq!((now.invite_on, later.invite_on), (TODAY, day(7)));
    // Åse has claimed her account (the claim itself is tested above).
    sqlx::query("update guest_account set state = 'active' where id = $1").bind(now.account).execute(&pool).await.unwrap();
    let invitations = "select count(*) from notification where kind = 'guest.invitation'";
    let notices = "select count(*) from notification where kind = 'guest.expiring'";
    assert_eq!(count(&pool, invitations).await, 1, "Åse's went out at registration");
    assert_eq!(run(&job).await.unwrap(), Default::default(), "nothing due yet");

    // T−14 for Åse: one notice, even with two instances at once and a run again.
    clock.advance(time::Duration::days(6));
    let second_instance = services.for_operator("guest lifecycle 2");
    let (a, b) = tokio::join!(run(&job), run(&second_instance));
    assert_eq!(a.unwrap().notices + b.unwrap().notices, 1);
    assert_eq!(run(&job).await.unwrap().notices, 0, "each notice once");
    assert_eq!(count(&pool, notices).await, 1);
    // Sara is told too: on her own notices page, and at the address she keeps.
    let sara_told = "select count(*) from notification n join party p on p.id = n.party_id
                     where n.kind = 'sponsor.guest_expiring' and n.title = 'Åse Nå' and p.national_id = '24818910181'";
    assert_eq!(count(&pool, sara_told).await, 1);
    let to_sara = "select count(*) from notification_delivery d join notification n on n.id = d.notification_id
                   where n.kind = 'sponsor.guest_expiring' and d.email = 'sara.sponsor@example.org'";
    assert_eq!(count(&pool, to_sara).await, 1);
    let sara_alone = test_support::acting(&services, test_support::person(&pool, people::SARA).await, test_support::person(&pool, people::SARA).await);
    let listed = domain::notifications::service::list(&sara_alone).await.unwrap();
    assert_eq!(listed.iter().map(|n| (n.kind, n.title.as_str())).collect::<Vec<_>>(), [(domain::notifications::NoticeKind::SponsorGuestExpiring, "Åse Nå")]);

    // Lars's invitation day; then T−7 and, after a pause of the job, only the nearest of the missed ones.
    clock.advance(time::Duration::days(1));
    assert_eq!(run(&job).await.unwrap().invited, 1);
    assert_eq!(count(&pool, invitations).await, 2);
    assert_eq!(run(&job).await.unwrap().invited, 0, "invited once");
    clock.advance(time::Duration::days(12));
    assert_eq!(run(&job).await.unwrap().notices, 1, "T−1 only: T−7 would say too much time is left");
    let sent: Vec<i32> = sqlx::query_scalar("select days_before from guest_account_notice where account_id = $1 order by days_before")
        .bind(now.account)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(sent, [1, 14]);
    assert_eq!(count(&pool, sara_told).await, 2, "the sponsor gets each notice the guest gets");

    // The end date: deactivated by the rule, recorded and audited.
    clock.advance(time::Duration::days(1));
    assert_eq!(run(&job).await.unwrap().deactivated, 1);
    assert_eq!(state(&pool, now.account).await, "deactivated");
    let by_rule: (String, Option<uuid::Uuid>, Option<String>) =
        sqlx::query_as("select reason, actor_id, rule from guest_account_transition where account_id = $1 and to_state = 'deactivated'")
            .bind(now.account)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(by_rule, ("the end date came".into(), None, Some("lifecycle".into())));
    // Lars never claimed his: it ends on its end date all the same.
    clock.advance(time::Duration::days(5));
    assert_eq!(run(&job).await.unwrap().deactivated, 1);
    assert_eq!(state(&pool, later.account).await, "deactivated");

    // Six months (183 days) after deactivation: deleted; not a day before.
    // Åse's was deactivated five days ago.
    clock.advance(time::Duration::days(177));
    assert_eq!(run(&job).await.unwrap().deleted, 0);
    clock.advance(time::Duration::days(2));
    assert_eq!(run(&job).await.unwrap().deleted, 1, "Åse's; Lars's five days later");
    assert_eq!(state(&pool, now.account).await, "deleted");
    assert!(my_guests(&sara).await.unwrap().iter().all(|g| g.account != now.account), "deleted accounts are not listed");

    assert!(run(&sara).await.is_err(), "only the installation runs the job");
    assert!(count(&pool, "select count(*) from audit_event where action = 'guest.lifecycle_run'").await >= 6, "each run with work is audited");
    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('guest.deactivate', 'guest.delete', 'guest.notice')").await, 5);
    let in_the_universitys_trail = format!(
        "select count(*) from audit_event where action in ('guest.deactivate', 'guest.delete', 'guest.notice') and on_behalf_of_id = '{}'",
        university.0
    );
    assert_eq!(count(&pool, &in_the_universitys_trail).await, 5, "the job's steps are in the institution's audit trail");
}

/// Reactivation within the retention period (deliverable 5): by the guest's
/// sponsor (or the help desk) only, with a reason and a new end date within
/// the maximum from today; only an account its guest claimed comes back. The
/// guest holds the guest role again, the notices go again for the new stay,
/// and after the retention period it is refused. Every refusal is audited
/// and changes nothing.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_sponsor_reactivates_an_ended_account_within_the_retention_period(pool: PgPool) {
    use domain::guests::jobs::run;
    use domain::guests::service::reactivate;
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let ada = test_support::acting(&services, test_support::person(&pool, people::ADA).await, university);
    let job = services.for_operator("guest lifecycle");
    let day = |n: i64| TODAY + time::Duration::days(n);
    let claimed = register(&sara, &guest("Åse", "Igjen", "aase@example.org", TODAY, day(10))).await.unwrap();
    let never = register(&sara, &guest("Lars", "Aldri", "lars@example.org", TODAY, day(10))).await.unwrap();
    // Åse claimed hers (the claim itself is tested above).
    sqlx::query("update guest_account set state = 'active', claimed_at = $2 where id = $1")
        .bind(claimed.account)
        .bind(datetime!(2026-12-05 10:00 UTC))
        .execute(&pool)
        .await
        .unwrap();
    let id = claimed.account.to_string();
    assert!(matches!(reactivate(&sara, &id, Some(day(20)), "Ny runde").await, Err(GuestError::NotEnded)), "an account in force");

    clock.advance(time::Duration::days(3));
    assert_eq!(run(&job).await.unwrap().notices, 1, "Åse's T−7 of the first stay");
    clock.advance(time::Duration::days(7));
    assert_eq!(run(&job).await.unwrap().deactivated, 2);
    assert_eq!(fields(reactivate(&sara, &id, None, "Ny runde").await.unwrap_err()), ["end"]);
    assert_eq!(fields(reactivate(&sara, &id, Some(day(10)), "Ny runde").await.unwrap_err()), ["end"], "not after today");
    assert_eq!(fields(reactivate(&sara, &id, Some(day(41)), "Ny runde").await.unwrap_err()), ["end"], "31 days from today");
    assert_eq!(fields(reactivate(&sara, &id, Some(day(20)), "  ").await.unwrap_err()), ["reason"]);
    assert!(matches!(reactivate(&ada, &id, Some(day(20)), "Ny runde").await, Err(GuestError::NotSponsor)), "the director is no sponsor");
    assert!(matches!(reactivate(&sara, &never.account.to_string(), Some(day(20)), "Ny runde").await, Err(GuestError::NeverClaimed)));
    assert_eq!(state(&pool, claimed.account).await, "deactivated", "nothing changed");

    assert_eq!(reactivate(&sara, &id, Some(day(40)), "Prosjektet fortsetter").await.unwrap(), day(40));
    assert_eq!(state(&pool, claimed.account).await, "active");
    let holds =
        format!("select count(*) from user_role_assignment a join guest_account g on g.role_assignment_id = a.id where g.id = '{id}' and a.ended_at is null");
    assert_eq!(count(&pool, &holds).await, 1, "the guest role again");
    let why: (String, Option<uuid::Uuid>) =
        sqlx::query_as("select reason, actor_id from guest_account_transition where account_id = $1 and from_state = 'deactivated' and to_state = 'active'")
            .bind(claimed.account)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(why, ("Prosjektet fortsetter".to_string(), Some(test_support::person(&pool, people::SARA).await.0)));
    let listed = my_guests(&sara).await.unwrap();
    let row = listed.iter().find(|g| g.account == claimed.account).unwrap();
    assert_eq!((row.start, row.end, row.reactivate_until), (day(10), day(40), None), "a new stay from today");
    assert_eq!(listed.iter().find(|g| g.account == never.account).unwrap().reactivate_until, None, "never claimed: not offered");

    // The new stay's notices go, its T−7 too although the first stay's T−7 went.
    clock.advance(time::Duration::days(16));
    assert_eq!(run(&job).await.unwrap().notices, 1, "T−14");
    clock.advance(time::Duration::days(7));
    assert_eq!(run(&job).await.unwrap().notices, 1, "T−7 again");

    // Ended again, and past the retention period: refused (the job deletes it).
    end_now(&sara, &id, "Ferdig").await.unwrap();
    clock.advance(time::Duration::days(184));
    assert!(matches!(reactivate(&sara, &id, Some(day(237)), "Igjen").await, Err(GuestError::NotEnded)));
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.reactivate' and outcome = 'refused'").await, 8);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.reactivate' and outcome = 'success'").await, 1);
}

/// A sponsor suspends an active guest's account for a while, the
/// administrative override of its dates: the guest keeps the account but
/// holds nothing, and the guest's own page says so. Resumed, the guest role
/// is back until the end date. Only an active account is suspended, only a
/// suspended one resumed, a reason is required, and only a sponsor may;
/// every refusal is audited and changes nothing. The end date still ends a
/// suspended account.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_sponsor_suspends_and_resumes_a_guest_account(pool: PgPool) {
    use domain::guests::jobs::run;
    use domain::guests::service::{my_accounts, resume, suspend};
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let ada = test_support::acting(&services, test_support::person(&pool, people::ADA).await, university);
    let job = services.for_operator("guest lifecycle");
    let day = |n: i64| TODAY + time::Duration::days(n);
    let registered = register(&sara, &guest("Åse", "Pause", "aase@example.org", TODAY, day(10))).await.unwrap();
    let (account, id) = (registered.account, registered.account.to_string());
    let person: uuid::Uuid = sqlx::query_scalar("select person_id from guest_account where id = $1").bind(account).fetch_one(&pool).await.unwrap();
    let aase = services.for_person(domain::parties::PartyId(person), "Åse Pause", None, None);
    let holds =
        format!("select count(*) from user_role_assignment a join guest_account g on g.role_assignment_id = a.id where g.id = '{id}' and a.ended_at is null");

    assert!(matches!(suspend(&sara, &id, "Mistenkelig bruk").await, Err(GuestError::NotActive)), "invited, not claimed yet");
    // Åse claimed hers (the claim itself is tested above).
    sqlx::query("update guest_account set state = 'active', claimed_at = $2 where id = $1")
        .bind(account)
        .bind(datetime!(2026-12-05 10:00 UTC))
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(resume(&sara, &id).await, Err(GuestError::NotSuspended)), "active, not suspended");
    assert_eq!(fields(suspend(&sara, &id, " ").await.unwrap_err()), ["reason"]);
    assert!(matches!(suspend(&ada, &id, "Mistenkelig bruk").await, Err(GuestError::NotSponsor)), "the director is no sponsor");
    assert_eq!(state(&pool, account).await, "active", "nothing changed");

    suspend(&sara, &id, "Mistenkelig bruk").await.unwrap();
    assert_eq!(state(&pool, account).await, "suspended");
    let mine = my_accounts(&aase).await.unwrap();
    assert_eq!((mine[0].state, mine[0].in_use), (AccountState::Suspended, false), "the guest sees it gives nothing");
    let listed = my_guests(&sara).await.unwrap();
    assert_eq!(listed.iter().find(|g| g.account == account).unwrap().state, AccountState::Suspended);

    resume(&sara, &id).await.unwrap();
    assert_eq!(state(&pool, account).await, "active");
    assert_eq!(count(&pool, &holds).await, 1, "the guest role again");
    assert!(my_accounts(&aase).await.unwrap()[0].in_use);
    let why: Vec<(String, String, String)> =
        sqlx::query_as("select from_state, to_state, reason from guest_account_transition where account_id = $1 and from_state is not null order by at, id")
            .bind(account)
            .fetch_all(&pool)
            .await
            .unwrap();
    let why: Vec<(&str, &str, &str)> = why.iter().map(|(f, t, r)| (f.as_str(), t.as_str(), r.as_str())).collect();
    assert_eq!(why, [("active", "suspended", "Mistenkelig bruk"), ("suspended", "active", "resumed")]);

    suspend(&sara, &id, "Igjen").await.unwrap();
    assert_eq!(count(&pool, &holds).await, 0, "suspended: the guest role ended");
    clock.advance(time::Duration::days(10));
    assert_eq!(run(&job).await.unwrap().deactivated, 1, "the end date ends a suspended account too");
    assert_eq!(state(&pool, account).await, "deactivated");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.suspend' and outcome = 'refused'").await, 3);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.resume' and outcome = 'refused'").await, 1);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.suspend' and outcome = 'success'").await, 2);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.resume' and outcome = 'success'").await, 1);
}

/// The director keeps the institution's rules for guests: the policy, where
/// every wrong field is named and nothing changes, and the terms, published
/// as numbered versions. A registration after the change follows the new
/// longest stay. A sponsor may neither read nor change them; every change
/// and every refusal is audited.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_director_keeps_the_policy_and_publishes_new_terms(pool: PgPool) {
    use domain::guests::policy::{publish_terms, rules, save_policy, PolicyForSave};
    use domain::system_register::Translated;
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let ada = test_support::acting(&services, test_support::person(&pool, people::ADA).await, university);
    let day = |n: i64| TODAY + time::Duration::days(n);

    let before = rules(&ada).await.unwrap();
    assert_eq!((before.policy.max_days, before.policy.notice_days.clone()), (30, vec![14, 7, 1]));
    assert!(before.role.is_some(), "the demo's guest role");
    assert_eq!(before.terms.as_ref().map(|t| t.version), Some(1));
    assert!(matches!(rules(&sara).await, Err(GuestError::NotAccessManager)));
    assert!(register(&sara, &guest("Lang", "Tid", "lang@example.org", TODAY, day(40))).await.is_err(), "40 days is past the longest stay");

    let form = PolicyForSave {
        max_days: "45".into(),
        invite_days_before: "".into(),
        notice_days: "3, 10".into(),
        claim_link_days: "7".into(),
        code_attempts: "5".into(),
        retention_days: "30".into(),
        username_prefix: "".into(),
    };
    let bad = PolicyForSave { max_days: "400".into(), notice_days: "3, 3".into(), ..form.clone() };
    assert_eq!(fields(save_policy(&ada, &bad).await.unwrap_err()), ["max_days", "notice_days"]);
    assert_eq!(rules(&ada).await.unwrap().policy, before.policy, "nothing changed");
    assert!(matches!(save_policy(&sara, &form).await, Err(GuestError::NotAccessManager)));

    save_policy(&ada, &form).await.unwrap();
    let after = rules(&ada).await.unwrap().policy;
    assert_eq!((after.max_days, after.notice_days, after.retention.whole_days()), (45, vec![10, 3], 30));
    register(&sara, &guest("Lang", "Tid", "lang@example.org", TODAY, day(40))).await.unwrap();

    let terms = |nb: &str| Translated { nb: nb.into(), nn: "Vilkår for gjester, versjon 2.".into(), en: "Terms for guests, version 2.".into() };
    assert_eq!(fields(publish_terms(&ada, &Translated { nn: " ".into(), ..terms("Vilkår") }).await.unwrap_err()), ["text_nn"]);
    assert!(matches!(publish_terms(&sara, &terms("Vilkår")).await, Err(GuestError::NotAccessManager)));
    assert_eq!(publish_terms(&ada, &terms("Vilkår for gjester, versjon 2.")).await.unwrap(), 2);
    let published = rules(&ada).await.unwrap().terms.unwrap();
    assert_eq!((published.version, published.text.nb.as_str()), (2, "Vilkår for gjester, versjon 2."));
    assert_eq!(count(&pool, "select count(*) from guest_terms").await, 2, "the first version is kept");

    for (action, refused, done) in [("guest_policy.save", 2, 1), ("guest_terms.publish", 2, 1)] {
        let sql = |outcome: &str| format!("select count(*) from audit_event where action = '{action}' and outcome = '{outcome}'");
        assert_eq!((count(&pool, &sql("refused")).await, count(&pool, &sql("success")).await), (refused, done), "{action}");
    }
}

/// A guest without a national identity number logs in with a one-time code
/// sent to their e-mail address: only after claiming; anyone else (an
/// unknown address, a guest not yet claimed, a guest with a national
/// identity number) gets the same answer and nothing is sent. A wrong code
/// is refused, the fifth ends it; a code works once; at most five codes an
/// hour. Every refusal is audited.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_guest_without_a_national_identity_number_logs_in_with_a_code(pool: PgPool) {
    use domain::guests::claim::SmsOutbox;
    use domain::guests::login::{log_in, send_code};
    test_support::demo_world(&pool).await;
    let clock = Arc::new(FixedClock::at(datetime!(2026-12-05 09:00 UTC)));
    let services = test_support::services_with_clock(&pool, clock.clone()).await;
    let university = test_support::org(&pool, people::UNIVERSITY).await;
    let sara = test_support::acting(&services, test_support::person(&pool, people::SARA).await, university);
    let anyone = services.for_operator("guest login");
    let mail = Outbox::default();
    let day = |n: i64| TODAY + time::Duration::days(n);
    let registered = register(&sara, &guest("Olga", "Utland", "olga@example.org", TODAY, day(10))).await.unwrap();
    let mut with_nin = guest("Gunn", "Gjest", "gunn@example.org", TODAY, day(10));
    with_nin.guest.national_id = people::GUNN.into();
    let gunn = register(&sara, &with_nin).await.unwrap();
    mail.deliver(&services, "olga@example.org").await;
    let codes = "select count(*) from notification where kind = 'guest.login_code'";

    send_code(&anyone, "olga@example.org", &SmsOutbox).await.unwrap();
    assert_eq!(count(&pool, codes).await, 0, "not claimed yet: nothing sent");
    for account in [registered.account, gunn.account] {
        sqlx::query("update guest_account set state = 'active', claimed_at = $2 where id = $1")
            .bind(account)
            .bind(datetime!(2026-12-05 09:30 UTC))
            .execute(&pool)
            .await
            .unwrap();
    }
    send_code(&anyone, "nobody@example.org", &SmsOutbox).await.unwrap();
    send_code(&anyone, "gunn@example.org", &SmsOutbox).await.unwrap();
    assert_eq!(count(&pool, codes).await, 0, "an unknown address, a guest who logs in with ID-porten: nothing sent");
    assert_eq!(fields(send_code(&anyone, "ikke en adresse", &SmsOutbox).await.unwrap_err()), ["email"]);

    send_code(&anyone, " Olga@Example.org ", &SmsOutbox).await.unwrap();
    let code = code_in(&mail.deliver(&services, "olga@example.org").await);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(fields(log_in(&anyone, "olga@example.org", wrong).await.unwrap_err()), ["one_time_code"]);
    }
    assert!(matches!(log_in(&anyone, "olga@example.org", wrong).await, Err(GuestError::LoginCodeEnded)), "the fifth wrong try ends it");
    assert_eq!(fields(log_in(&anyone, "olga@example.org", &code).await.unwrap_err()), ["one_time_code"], "ended, even with the right code");

    send_code(&anyone, "olga@example.org", &SmsOutbox).await.unwrap();
    let code = code_in(&mail.deliver(&services, "olga@example.org").await);
    assert_eq!(fields(log_in(&anyone, "gunn@example.org", &code).await.unwrap_err()), ["one_time_code"], "another person's address");
    let login = log_in(&anyone, "olga@example.org", &code).await.unwrap();
    assert_eq!(login.name, "Olga Utland");
    let person: uuid::Uuid = sqlx::query_scalar("select person_id from guest_account where id = $1").bind(registered.account).fetch_one(&pool).await.unwrap();
    assert_eq!(login.person.0, person);
    assert_eq!(fields(log_in(&anyone, "olga@example.org", &code).await.unwrap_err()), ["one_time_code"], "a code works once");

    // Two codes went to Olga this hour; three more may, then no more.
    for _ in 0..4 {
        send_code(&anyone, "olga@example.org", &SmsOutbox).await.unwrap();
    }
    assert_eq!(count(&pool, "select count(*) from guest_login_code").await, 5, "at most five an hour");
    clock.advance(time::Duration::minutes(61));
    send_code(&anyone, "olga@example.org", &SmsOutbox).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from guest_login_code").await, 6, "and again after an hour");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.login' and outcome = 'success'").await, 1);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.login' and outcome = 'refused'").await, 8);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'guest.login_code' and outcome = 'refused'").await, 4);
}
