//! Group commit for the token endpoint's one write.
//!
//! Every issued token spends its assertion's jti and records the issue
//! durably before it is signed, so each token waits for a commit to reach
//! the disk. Done one request at a time, that wait (not the CPU) bounds how
//! many tokens an instance can issue. Here the writes of requests that arrive
//! together share one statement and one commit
//! ([`store::spend_jtis_and_record`]): a dispatcher takes whatever is waiting
//! (up to [`MAX_BATCH`]) as soon as one of [`IN_FLIGHT`] writers is free. A
//! lone request is written at once, so nothing waits for company; under load
//! the batches grow by themselves while the previous commits are on their way
//! to disk. Durability is unchanged: no request is answered before its commit.
//!
//! A batch that fails as a whole (a lost connection, or one row the database
//! refuses) is written again row by row, so one bad request cannot fail the
//! others that happened to share its batch.
//!
//! [`store::spend_jtis_and_record`]: domain::tokens::store::spend_jtis_and_record

use domain::tokens::store::{self, Spent};
use domain::tokens::TokenWrite;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Most writes in one statement; more wait for the next batch.
pub const MAX_BATCH: usize = 128;
/// Batches written at the same time: while one waits for its commit, the next
/// gathers and runs its statement.
pub const IN_FLIGHT: usize = 2;
/// Requests that may wait for a writer before senders are held back.
const QUEUE: usize = 8 * MAX_BATCH;

type Reply = oneshot::Sender<Result<Spent, WriteFailed>>;

/// The write could not be done; the request should be answered with a server error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the token could not be recorded: {0}")]
pub struct WriteFailed(String);

/// The handle requests write through; cheap to share.
pub struct GroupCommit {
    queue: mpsc::Sender<(TokenWrite, Reply)>,
}

impl GroupCommit {
    /// Starts the dispatcher on the current runtime. It stops when the handle is dropped.
    pub fn start(pool: PgPool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(dispatch(pool, waiting));
        Self { queue }
    }

    /// Spends the jti and records the token, with whatever other writes are waiting.
    pub async fn write(&self, write: TokenWrite) -> Result<Spent, WriteFailed> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((write, reply)).await.map_err(|_| WriteFailed("the writer has stopped".into()))?;
        answer.await.map_err(|_| WriteFailed("the writer dropped the request".into()))?
    }
}

async fn dispatch(pool: PgPool, mut waiting: mpsc::Receiver<(TokenWrite, Reply)>) {
    let writers = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // Wait for a free writer first, so that requests gather meanwhile.
        let Ok(writer) = writers.clone().acquire_owned().await else { return };
        if waiting.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return; // every handle is gone
        }
        let pool = pool.clone();
        let taken = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        tokio::spawn(async move {
            write_batch(&pool, taken).await;
            drop(writer);
        });
    }
}

async fn write_batch(pool: &PgPool, batch: Vec<(TokenWrite, Reply)>) {
    let (writes, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
    match store::spend_jtis_and_record(pool, &writes).await {
        Ok(spent) if spent.len() == writes.len() => {
            for (reply, spent) in replies.into_iter().zip(spent) {
                let _ = reply.send(Ok(spent)); // the request may have gone away
            }
        }
        Ok(spent) => answer_all(replies, &format!("{} results for {} writes", spent.len(), writes.len())),
        Err(e) if writes.len() == 1 => answer_all(replies, &e.to_string()),
        Err(e) => {
            tracing::warn!(error = %e, writes = writes.len(), "a token batch failed; writing its rows one by one");
            for (write, reply) in writes.into_iter().zip(replies) {
                let one = store::spend_jtis_and_record(pool, std::slice::from_ref(&write)).await;
                let _ = reply.send(match one.as_deref() {
                    Ok([spent]) => Ok(*spent),
                    Ok(_) => Err(WriteFailed("no result for the write".into())),
                    Err(e) => Err(WriteFailed(e.to_string())),
                });
            }
        }
    }
}

fn answer_all(replies: Vec<Reply>, error: &str) {
    for reply in replies {
        let _ = reply.send(Err(WriteFailed(error.to_string())));
    }
}
