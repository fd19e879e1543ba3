//! A real SMTP server on loopback for the mail tests: Python's `aiosmtpd`
//! (`make test` installs it), keeping what it receives as a Maildir.

use std::process::{Child, Command};

/// An SMTP server on `port` that keeps what it receives as a Maildir in `dir`; stopped on drop.
pub struct SmtpServer(Child);

impl SmtpServer {
    pub async fn start(port: u16, dir: &std::path::Path) -> Self {
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir)
            .spawn()
            .expect("python3 -m aiosmtpd (make test installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self(child);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the SMTP server did not start");
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The messages in the Maildir, each as `To`, decoded subject and decoded body (read by Python's `email`).
pub fn received(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let Ok(entries) = std::fs::read_dir(dir.join("new")) else { return Vec::new() };
    entries
        .map(|e| {
            let script = "import email, email.header, sys\nm = email.message_from_file(open(sys.argv[1], encoding='utf-8'))\n\
                          print(m['To']); print(str(email.header.make_header(email.header.decode_header(m['Subject']))))\n\
                          print(m.get_payload(decode=True).decode('utf-8'))";
            let out = Command::new("python3").args(["-c", script]).arg(e.unwrap().path()).output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.splitn(3, '\n');
            (lines.next().unwrap_or("").into(), lines.next().unwrap_or("").into(), lines.next().unwrap_or("").into())
        })
        .collect()
}
