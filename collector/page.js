/* page.js - the interview page's own script (served by `collector serve`, built into the
 * binary). It decides nothing: every rule is the engine's. It sends each answer to the
 * collector without reloading the page and puts in the page what the collector answered
 * (the screen, the roster, the panel), and it gives the keyboard the terminal's speed:
 * digits pick a choice, Enter goes on, "/" or Alt+J goes to the jump field. Without it the
 * page works as plain forms. */
(function () {
    "use strict";

    var typed = "", typedAt = 0;

    function main() {
        return document.getElementById("m");
    }

    /* The answer field, else the choice ticked, else the first choice. */
    function focusAnswer() {
        var m = main(), f;
        if (!m)
            return;
        f = m.querySelector("#v") || m.querySelector("input[name=v]:checked") ||
            m.querySelector("input[name=v]");
        if (f)
            f.focus();
    }

    function say(text) {
        var m = main(), p = document.createElement("p");
        p.className = "msg";
        p.setAttribute("role", "alert");
        p.textContent = text;
        if (m)
            m.insertBefore(p, m.firstChild);
    }

    /* The page the collector answered: its main part replaces ours, or the whole page
     * when it is another one (finished: home). */
    function show(res, html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("m");
        if (!fresh || res.url.indexOf("/i/") < 0) {
            window.location.href = res.url;
            return;
        }
        main().replaceWith(fresh);
        document.title = doc.title;
        focusAnswer();
    }

    function send(form, submitter) {
        var body = new URLSearchParams();
        var data = new FormData(form);
        data.forEach(function (v, k) {
            body.append(k, v);
        });
        if (submitter && submitter.name)
            body.append(submitter.name, submitter.value);
        fetch(form.action, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: {"X-Dieutra-Live": "1"}
        }).then(function (res) {
            return res.text().then(function (html) {
                show(res, html);
            });
        }).catch(function () {
            say(document.documentElement.lang === "en"
                    ? "The collector does not answer: the last answer may not be saved. " +
                          "Start collector serve again and open its address."
                    : "Chương trình thu thập không trả lời: câu trả lời cuối có thể chưa " +
                          "được lưu. Hãy chạy lại collector serve và mở địa chỉ nó in ra.");
        });
    }

    document.addEventListener("submit", function (e) {
        var form = e.target;
        if (form.getAttribute("data-live") !== null) {
            e.preventDefault();
            send(form, e.submitter);
        } else if (form.getAttribute("data-sync") !== null) {
            var bar = document.getElementById("syncing");
            if (bar)
                bar.hidden = false;
            form.querySelector("button").disabled = true;
        }
    });

    /* The choice whose code is digits, or null; whether one's code begins with them. */
    function choice(digits) {
        return main().querySelector("input[name=v][value='" + digits + "']");
    }
    function begins(digits) {
        return main().querySelector("input[name=v][value^='" + digits + "']") !== null;
    }

    /* Digits typed quickly one after another make one code ("1", "12", "3980"): a choice
     * is picked when they are its code, and kept typing while they begin one. */
    function pick(digit) {
        var now = Date.now(), box;
        typed = now - typedAt < 1000 ? typed + digit : digit;
        typedAt = now;
        if (!begins(typed))
            typed = digit;
        box = choice(typed);
        if (!box)
            return;
        if (box.type === "radio")
            box.checked = true;
        else
            box.checked = !box.checked;
        box.focus();
    }

    function isText(el) {
        return el && (el.tagName === "TEXTAREA" ||
                      (el.tagName === "INPUT" && el.type !== "radio" && el.type !== "checkbox" &&
                       el.type !== "hidden"));
    }

    document.addEventListener("keydown", function (e) {
        var m = main(), jump, next;
        if (!m || e.ctrlKey || e.metaKey)
            return;
        jump = m.querySelector("input[name=j]");
        if ((e.key === "/" && !isText(e.target)) || (e.altKey && (e.key === "j" || e.key === "J"))) {
            if (jump) {
                e.preventDefault();
                jump.focus();
            }
            return;
        }
        /* Enter in the jump field jumps: the browser would press the form's first button
         * (Next, or Yes on an "add another?" screen) */
        if (e.key === "Enter" && e.target === jump) {
            next = m.querySelector("button[name=op][value=jump]");
            if (next) {
                e.preventDefault();
                next.click();
            }
            return;
        }
        if (e.altKey || isText(e.target))
            return;
        if (e.key >= "0" && e.key <= "9" && m.querySelector("input[name=v][type=radio]," +
                                                            "input[name=v][type=checkbox]")) {
            e.preventDefault();
            pick(e.key);
        } else if (e.key === "Enter" && e.target.tagName !== "BUTTON") {
            next = m.querySelector("button[name=op][value=next]");
            if (next) {
                e.preventDefault();
                next.click();
            }
        }
    });

    /* A number field takes digits (and one sign, one decimal mark): a letter never lands. */
    document.addEventListener("beforeinput", function (e) {
        var el = e.target, ok;
        if (!el.getAttribute || !el.getAttribute("inputmode") || e.data === null ||
            e.data === undefined)
            return;
        ok = el.getAttribute("inputmode") === "numeric" ? /^[-0-9]*$/ : /^[-0-9.,]*$/;
        if (!ok.test(e.data))
            e.preventDefault();
    });

    document.addEventListener("DOMContentLoaded", focusAnswer);
})();
