//! A tiny SMTP sink on loopback that counts accepted deliveries by Message-ID, with relays
//! that misbehave on demand (slow, trickling bytes, hanging after DATA).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the relay behaves.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Waits this long after the end of DATA before accepting.
    Delay(Duration),
    /// Writes every reply one byte at a time, one byte per `Duration`.
    Trickle(Duration),
    /// Never answers the end of DATA.
    HangAfterData,
}

/// A running sink.
pub struct Sink {
    pub port: u16,
    accepted: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    /// Start on a free loopback port.
    pub fn start(mode: Mode) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let acc = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let acc = acc.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, mode, &acc);
                });
            }
        });
        Sink { port, accepted }
    }

    /// Message-IDs accepted, in order (a duplicate appears twice).
    pub fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }

    /// How many accepted.
    pub fn count(&self) -> usize {
        self.accepted.lock().unwrap().len()
    }

    /// Accepted deliveries per Message-ID.
    pub fn per_id(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for id in self.accepted() {
            *m.entry(id).or_insert(0) += 1;
        }
        m
    }

    /// Deliveries beyond the first of each Message-ID.
    pub fn duplicates(&self) -> usize {
        self.per_id().values().map(|n| n - 1).sum()
    }
}

fn reply(stream: &mut TcpStream, mode: Mode, text: &str) -> std::io::Result<()> {
    match mode {
        Mode::Trickle(every) => {
            for b in text.as_bytes() {
                stream.write_all(&[*b])?;
                stream.flush()?;
                std::thread::sleep(every);
            }
            Ok(())
        }
        _ => stream.write_all(text.as_bytes()),
    }
}

fn serve(mut stream: TcpStream, mode: Mode, accepted: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    reply(&mut stream, mode, "220 sink ready\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.trim_end().to_ascii_uppercase();
        if verb.starts_with("EHLO") || verb.starts_with("HELO") {
            reply(&mut stream, mode, "250 sink\r\n")?;
        } else if verb.starts_with("DATA") {
            reply(&mut stream, mode, "354 go on\r\n")?;
            let mut message_id = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if message_id.is_empty() && lower.starts_with("message-id:") {
                    message_id = line["message-id:".len()..].trim().to_string();
                }
            }
            match mode {
                Mode::Delay(d) => std::thread::sleep(d),
                Mode::HangAfterData => {
                    std::thread::sleep(Duration::from_secs(600));
                    return Ok(());
                }
                Mode::Trickle(_) => {}
            }
            accepted.lock().unwrap().push(message_id);
            reply(&mut stream, mode, "250 queued\r\n")?;
        } else if verb.starts_with("QUIT") {
            reply(&mut stream, mode, "221 bye\r\n")?;
            return Ok(());
        } else {
            reply(&mut stream, mode, "250 ok\r\n")?;
        }
    }
}
