//! Where "now" comes from: the system clock, or a fixed clock (`options.now`) moved by hand
//! in tests and replays.

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::guard;
use crate::input::Arg;
use crate::portal::Portal;

#[napi]
impl Portal {
    /// The current time of the portal's clock.
    #[napi]
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    /// Move the fixed clock to `now` (`invalid_state` without `options.now`).
    #[napi]
    pub fn set_clock(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Date")] now: Arg<DateTime<Utc>>,
    ) -> Result<()> {
        guard(env, || {
            let now = now.get("now")?;
            self.fixed_clock()?.set(now);
            Ok(())
        })
    }

    /// Move the fixed clock forward by `ms` milliseconds.
    #[napi]
    pub fn advance_clock(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "number")] ms: Arg<f64>,
    ) -> Result<()> {
        guard(env, || {
            let ms = ms.get("ms")?;
            let clock = self.fixed_clock()?;
            if !ms.is_finite() || ms < 0.0 {
                return Err(crate::error::invalid("ms", "must be a non-negative number"));
            }
            clock.advance(chrono::Duration::milliseconds(ms as i64));
            Ok(())
        })
    }
}
