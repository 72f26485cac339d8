// Unit view (处警端): sign for, depart, arrive, feedback; the phone's position when allowed.
(function () {
  "use strict";
  const cad110 = window.cad110;
  const root = document.querySelector(".unit-view");
  const unit = root && root.dataset.unit;
  const message = document.getElementById("unit-message");
  if (!unit) return;
  const incidentUrl = (number) => "/api/v1/incidents/" + encodeURIComponent(number);
  // A change pushed while the officer is writing (feedback, a reason) must not wipe the form.
  let editing = false;
  // A step in flight reloads the page itself once answered; a pushed change meanwhile would
  // start a second load that aborts the first (and the step's answer with it).
  let stepping = false;

  const stepUrl = (number, step) =>
    incidentUrl(number) + "/units/" + encodeURIComponent(unit) + "/" + encodeURIComponent(step);
  const arriveReason = document.getElementById("arrive-reason");

  // The feedback's answer is a reload (the next task, or none): what was reported is said on
  // the page that follows, once.
  const REPORTED = "cad110-unit-reported";
  const reported = sessionStorage.getItem(REPORTED);
  if (reported && message) {
    sessionStorage.removeItem(REPORTED);
    message.textContent = cad110.fill(message.dataset.reported || "%(number)s", { number: reported });
    message.classList.add("done");
  }

  document.querySelectorAll(".big-buttons button").forEach((button) => {
    button.addEventListener("click", async () => {
      const number = button.closest(".assignment").dataset.number;
      button.disabled = true;
      stepping = true;
      try {
        await cad110.call("POST", stepUrl(number, button.dataset.step), {});
        location.reload();
      } catch (error) {
        stepping = false;
        message.textContent = error.message;
        button.disabled = false;
        // 到场 far from the scene or too soon after dispatch: the server asks for a reason,
        // which the form's own question says; the same refusal below it would say it twice.
        if (button.dataset.step === "arrive" && error.status === 422 && arriveReason) {
          message.textContent = "";
          arriveReason.hidden = false;
          editing = true;
          arriveReason.reason.focus();
        }
      }
    });
  });

  if (arriveReason) {
    arriveReason.addEventListener("submit", async (event) => {
      event.preventDefault();
      const number = arriveReason.closest(".assignment").dataset.number;
      try {
        await cad110.call("POST", stepUrl(number, "arrive"), { reason: arriveReason.reason.value.trim() });
        location.reload();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  // 查找协查: the officer confirms having seen a missing person's details.
  document.querySelectorAll(".mark-read").forEach((button) => {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await cad110.call("POST", "/api/v1/missing/lookouts/" + encodeURIComponent(button.dataset.notice) + "/read", {});
        button.closest(".lookout").classList.remove("unread");
        button.remove();
      } catch (error) {
        message.textContent = error.message;
        button.disabled = false;
      }
    });
  });

  const feedback = document.getElementById("feedback");
  // Each guide item is ticked, or carries its own reason; the summary is never taken for one.
  const items = feedback ? Array.from(feedback.querySelectorAll(".guide-item")) : [];
  const boxOf = (item) => item.querySelector("input[name=guide]");
  const whyOf = (item) => item.querySelector("input[name^=why-]");
  items.forEach((item) => {
    boxOf(item).addEventListener("change", () => {
      item.classList.toggle("done", boxOf(item).checked);
      item.classList.remove("missing");
    });
  });
  let handled = false;
  // 处警结果 typed with the feedback, each sent once after the report (a loss before the
  // recovery it bounds); a part refused is said and the rest waits for the next press.
  const quick = feedback && feedback.querySelector(".outcome-quick");
  const sentParts = {};
  // The server's time now: the page's time plus what has passed on this phone since it loaded,
  // so that a phone clock set wrong does not date an arrest in the future.
  const loadedAt = Date.now();
  const serverNow = () =>
    new Date(Date.parse(quick.dataset.now) + (Date.now() - loadedAt)).toISOString();
  // Every field is checked against the server's limits (sent with the page: amounts in fen up
  // to data-max-fen, arrests up to data-max-arrested, texts up to 4000 characters, a recovery
  // no more than the loss) before anything is sent: the handling note and the report go first,
  // so a refusal of a later part would leave the incident moved on while the phone says no.
  const LONGEST = 4000;
  const tooLong = (text) => Array.from(text).length > LONGEST; // code points, as the server counts
  function outcomeParts(guide) {
    const d = quick.dataset;
    const parts = [];
    const bad = {};
    const field = (name) => feedback.querySelector("[name=" + name + "]");
    const amount = (name) => {
      const typed = field(name).value.trim();
      if (!typed) return 0;
      const fen = cad110.fen(typed);
      if (!(fen > 0)) bad[name] = d.msgAmount;
      else if (fen > Number(d.maxFen)) bad[name] = d.msgAmountMax;
      return fen > 0 ? fen : 0;
    };
    const loss = amount("loss");
    const recovered = amount("recovered");
    // The quick form has no "above the loss, confirmed": the server would refuse it.
    if (!bad.loss && !bad.recovered && recovered > 0 && Number(d.recoveredFen) + recovered > Number(d.lossFen) + loss) {
      bad.recovered = d.msgAboveLoss;
    }
    const box = field("arrested");
    const arrested = Number(box.value.trim() || 0);
    if (box.validity.badInput || !Number.isInteger(arrested)) bad.arrested = d.msgWhole;
    else if (arrested < 0) bad.arrested = d.msgArrestedMin;
    else if (arrested > Number(d.maxArrested)) bad.arrested = d.msgArrestedMax;
    if (tooLong(feedback.summary.value.trim())) bad.summary = d.msgTooLong;
    guide.forEach((g) => {
      if (tooLong(g.note)) bad["why-" + g.code] = d.msgTooLong;
    });
    if (Object.keys(bad).length) return { bad: bad };
    if (loss) parts.push(["loss", { kind: "loss", amount_fen: loss }]);
    if (recovered) parts.push(["recovery", { kind: "recovery", amount_fen: recovered, at: serverNow() }]);
    if (arrested > 0) parts.push(["arrest", { kind: "arrest", arrested: arrested, in_the_act: field("in_the_act").checked, at: serverNow() }]);
    return { parts: parts };
  }
  if (feedback) {
    feedback.addEventListener("input", () => (editing = true));
    feedback.addEventListener("submit", async (event) => {
      event.preventDefault();
      const number = feedback.closest(".assignment").dataset.number;
      const base = incidentUrl(number);
      const guide = items.map((item) => ({
        code: item.dataset.code,
        done: boxOf(item).checked,
        note: boxOf(item).checked ? "" : whyOf(item).value.trim(),
      }));
      const missing = items.filter(
        (item, n) => item.dataset.required === "true" && !guide[n].done && !guide[n].note
      );
      items.forEach((item) => item.classList.toggle("missing", missing.includes(item)));
      if (missing.length) {
        message.textContent = feedback.dataset.msgRequired;
        whyOf(missing[0]).focus();
        return;
      }
      const outcome = outcomeParts(guide);
      // Earlier messages beside the fields go; a bad value stops here, before anything is sent.
      cad110.showFieldErrors(feedback, outcome.bad || {});
      if (outcome.bad) {
        message.textContent = "";
        const first = feedback.querySelector("[aria-invalid]");
        if (first) first.focus();
        return;
      }
      try {
        // A report refused after the handling note went through is sent again without it.
        if (!handled) {
          await cad110.call("POST", base + "/handle", { note: feedback.summary.value.trim() });
          handled = true;
        }
        if (!sentParts.report) {
          await cad110.call("POST", base + "/report", { summary: feedback.summary.value.trim(), guide: guide });
          sentParts.report = true;
        }
        for (const [name, body] of outcome.parts) {
          if (sentParts[name]) continue;
          try {
            await cad110.call("POST", base + "/outcomes", body);
          } catch (error) {
            const field = { loss: "loss", recovery: "recovered", arrest: "arrested" }[name];
            cad110.showFieldErrors(feedback, { [field]: error.message });
            throw error;
          }
          sentParts[name] = true;
        }
        await cad110.call("POST", base + "/units/" + encodeURIComponent(unit) + "/release", {});
        sessionStorage.setItem(REPORTED, number);
        location.reload();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }

  // 反诈见面劝阻: the officer records the warning's outcome through the fraud API (the same as
  // the desk's); the amount typed is the amount protected, or lost (which a loss requires).
  const fraudForm = document.getElementById("fraud-outcome");
  if (fraudForm) {
    let fraudKey = null;
    fraudForm.addEventListener("input", () => (editing = true));
    fraudForm.querySelectorAll("button[data-outcome]").forEach((button) => {
      button.addEventListener("click", async () => {
        const outcome = button.dataset.outcome;
        const typed = fraudForm.amount.value.trim();
        const fen = typed ? cad110.fen(typed) : null;
        const needed = outcome === "lost" || (outcome === "dissuaded" && typed);
        if (needed && !(fen > 0)) {
          cad110.showFieldErrors(fraudForm, { amount: fraudForm.dataset.msgAmount });
          fraudForm.amount.focus();
          return;
        }
        cad110.showFieldErrors(fraudForm, {});
        const amount = fen > 0 ? Math.floor(fen / 100) + "." + String(fen % 100).padStart(2, "0") : null;
        const body = { outcome: outcome, note: fraudForm.note.value.trim() };
        if (outcome === "dissuaded" && amount) body.amount_protected = amount;
        if (outcome === "lost") body.amount_lost = amount;
        fraudKey = fraudKey || cad110.newKey();
        stepping = true;
        try {
          await cad110.call(
            "POST",
            "/api/v1/fraud/warnings/" + encodeURIComponent(fraudForm.dataset.number) + "/outcome",
            body,
            { idempotencyKey: fraudKey },
          );
          location.reload();
        } catch (error) {
          stepping = false;
          message.textContent = error.message;
        }
      });
    });
  }

  // Position from the phone, every fix, when the officer allows it.
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(
      (pos) => {
        cad110
          .call("POST", "/api/v1/units/positions", {
            fixes: [{ unit: unit, lon: pos.coords.longitude, lat: pos.coords.latitude, at: new Date(pos.timestamp).toISOString(), speed_kmh: pos.coords.speed ? pos.coords.speed * 3.6 : null }],
          })
          .catch(() => {});
      },
      () => {},
      { enableHighAccuracy: true, maximumAge: 10000 }
    );
  }

  cad110.live(() => {
    if (!editing && !stepping) location.reload();
  });
})();
