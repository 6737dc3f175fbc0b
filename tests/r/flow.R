# flow.R - the other half of flow.sh: draws the sample frame and the totals over the interviewed
# households (make), then checks what `syncd indicators` and `syncd export --weights` gave
# against R's survey package (check).
#
#   Rscript flow.R make|check DIR GEOGRAPHY.csv
#
# make reads DIR/households.csv and DIR/refusals.csv (the figures flow.sh computed from the raw
# answers) and writes DIR/frame.csv (stratified PSUs = villages, unequal weights, a stratum of a
# single PSU, 24 households never reached), DIR/link.csv (case -> assignment) and
# DIR/totals.csv (households, urban/rural, persons by sex). check reads DIR/figures.txt (every
# JSON value of every run: run|path|value) and DIR/exp/households.csv, and compares each
# estimate, standard error, total, design effect and difference with R's to 1e-9 (relative
# to the figure when it is above 1).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")

args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
dir <- args[2]
geo <- read.csv(args[3], colClasses = "character")
urban_units <- geo$new_code[startsWith(geo$new_name, "Phường")]
chr <- c(case_id = "character", unit = "character", village = "character")
hh <- read.csv(file.path(dir, "households.csv"), colClasses = chr)
ref <- read.csv(file.path(dir, "refusals.csv"), colClasses = chr)
hh$psu <- paste(hh$unit, hh$village, sep = "/")
ref$psu <- paste(ref$unit, ref$village, sep = "/")

if (mode == "make") {
  set.seed(20251208)
  psus <- sort(unique(c(hh$psu, ref$psu)))
  # strata by commune code; the first village with two households or more alone in "S9"
  stratum <- paste0("S", as.integer(substr(psus, 1, 5)) %% 5)
  counts <- table(hh$psu)
  lone <- names(counts)[counts >= 2][1]
  stratum[psus == lone] <- "S9"
  wpsu <- round(runif(length(psus), 30, 250), 2)
  frame_of <- function(ids, psu) {
    k <- match(psu, psus)
    data.frame(assignment_id = ids, enumerator = "enum1",
               weight = round(wpsu[k] * runif(length(k), 0.9, 1.1), 4),
               stratum = stratum[k], psu = psu)
  }
  resp <- frame_of(paste0("A-", hh$case_id), hh$psu)
  refd <- frame_of(paste0("R-", ref$case_id), ref$psu)
  # households never reached: in villages of the strata with many
  away <- sample(psus[stratum != "S9"], 24, replace = TRUE)
  gone <- frame_of(sprintf("N-%02d", seq_along(away)), away)
  frame <- rbind(resp, refd, gone)
  write.csv(frame, file.path(dir, "frame.csv"), row.names = FALSE, quote = FALSE)
  write.csv(data.frame(case_id = c(hh$case_id, ref$case_id),
                       assignment_id = c(resp$assignment_id, refd$assignment_id)),
            file.path(dir, "link.csv"), row.names = FALSE, quote = FALSE)
  # totals: a little away from what the design weights give
  w <- resp$weight
  urban <- hh$unit %in% urban_units
  H <- sum(frame$weight) * 1.04
  U <- sum(w * urban) / sum(w) * H * 1.15
  tot <- data.frame(margin = c("households", "urban_rural", "urban_rural", "m_sex", "m_sex"),
                    category = c("", "urban", "rural", "1", "2"),
                    total = sprintf("%.17g", c(H, U, H - U,
                                               sum(w * hh$n_s1) / sum(w) * H * 1.02,
                                               sum(w * hh$n_s2) / sum(w) * H * 0.97)))
  write.csv(tot, file.path(dir, "totals.csv"), row.names = FALSE, quote = FALSE)
  cat("frame:", nrow(frame), "households,", length(psus), "PSUs,",
      length(unique(stratum)), "strata\n")
  quit(status = 0)
}

# ---- check
fig <- read.table(file.path(dir, "figures.txt"), sep = "|", quote = "", comment.char = "",
                  col.names = c("run", "key", "value"), colClasses = "character")
frame <- read.csv(file.path(dir, "frame.csv"), colClasses = c(assignment_id = "character",
                                                              stratum = "character",
                                                              psu = "character"))
tot <- read.csv(file.path(dir, "totals.csv"), colClasses = c(category = "character"))
compared <- 0
worst <- 0
failed <- 0
got <- function(run, key) {
  v <- fig$value[fig$run == run & fig$key == key]
  if (length(v) == 0) NA_real_ else as.numeric(v)
}
same <- function(what, ours, theirs) {
  theirs <- as.numeric(theirs)
  if (!is.finite(theirs) && is.na(ours)) return(invisible())
  d <- abs(ours - theirs) / max(1, abs(theirs))
  compared <<- compared + 1
  if (is.na(d) || d > 1e-9) {
    failed <<- failed + 1
    cat("FAIL", what, ": ours", format(ours, digits = 17), "R", format(theirs, digits = 17), "\n")
  } else worst <<- max(worst, d)
}
ind <- function(g, k) sprintf("$.groups[%d].indicators[%d].", g, k - 1)

# the respondents with their frame rows and the nonresponse factors by stratum
hh$assignment_id <- paste0("A-", hh$case_id)
hh <- merge(hh, frame[, c("assignment_id", "weight", "stratum")], by = "assignment_id")
hh$urban <- as.numeric(hh$unit %in% urban_units)
resp_w <- tapply(hh$weight, hh$stratum, sum)
frame_w <- tapply(frame$weight, frame$stratum, sum)
factor <- frame_w / resp_w[names(frame_w)]
hh$w_nr <- hh$weight * factor[hh$stratum]
classes <- sort(names(factor))
for (i in seq_along(classes))
  same(paste("nonresponse factor", classes[i]),
       got("nr", sprintf("$.nonresponse.classes[%d].factor", i - 1)), factor[[classes[i]]])
for (k in 1:5) {
  hh[[paste0("y", k, "_u")]] <- hh[[paste0("y", k)]] * hh$urban
  hh[[paste0("x", k, "_u")]] <- hh[[paste0("x", k)]] * hh$urban
  hh[[paste0("y", k, "_r")]] <- hh[[paste0("y", k)]] * (1 - hh$urban)
  hh[[paste0("x", k, "_r")]] <- hh[[paste0("x", k)]] * (1 - hh$urban)
}
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w_nr, data = hh, nest = TRUE)
pop <- c(`(Intercept)` = tot$total[1], urban = tot$total[2], n_s1 = tot$total[4],
         n_s2 = tot$total[5])
calf <- ~urban + n_s1 + n_s2
lin <- calibrate(des, calf, population = pop, calfun = "linear")
rak <- calibrate(des, calf, population = pop, calfun = "raking")

fm <- function(s) as.formula(paste0("~", s))
# one group's indicator k: ratio, se, deff, total, its se
check_value <- function(run, g, k, design, y, x, what) {
  r <- svyratio(fm(y), fm(x), design, deff = TRUE)
  t <- svytotal(fm(y), design)
  p <- ind(g, k)
  same(paste(what, "estimate"), got(run, paste0(p, "estimate")), 100 * coef(r))
  same(paste(what, "se"), got(run, paste0(p, "se")), 100 * SE(r))
  same(paste(what, "deff"), got(run, paste0(p, "deff")), deff(r))
  same(paste(what, "total"), got(run, paste0(p, "total")), coef(t))
  same(paste(what, "total se"), got(run, paste0(p, "total_se")), SE(t))
}
# the difference a - b of two ratios over the same design, its se
check_diff <- function(run, g, k, design, ya, xa, yb, xb, field, what) {
  r <- svyratio(fm(paste(ya, "+", yb)), fm(paste(xa, "+", xb)), design, covmat = TRUE)
  w <- setNames(c(1, -1), c(paste0(ya, "/", xa), paste0(yb, "/", xb)))
  ct <- svycontrast(r, w)
  p <- paste0(ind(g, k), field, ".")
  same(paste(what, "difference"), got(run, paste0(p, "estimate")), 100 * coef(ct))
  same(paste(what, "difference se"), got(run, paste0(p, "se")), 100 * SE(ct))
}

for (k in 1:5) {
  y <- paste0("y", k)
  x <- paste0("x", k)
  check_value("nr", 0, k, des, y, x, paste0("nr T", k))
  check_value("lin", 0, k, lin, y, x, paste0("linear T", k))
  check_value("rak", 0, k, rak, y, x, paste0("raking T", k))
  # urban (the reference) and rural, with linear calibration
  check_value("ur", 1, k, subset(lin, urban == 1), y, x, paste0("urban T", k))
  check_value("ur", 2, k, subset(lin, urban == 0), y, x, paste0("rural T", k))
  check_diff("ur", 2, k, lin, paste0(y, "_r"), paste0(x, "_r"), paste0(y, "_u"), paste0(x, "_u"),
             "diff_reference", paste0("rural - urban T", k))
}
# T1-T3 are means over the households that answered: svymean on them, and svyby for urban
# and rural, give the same figures
for (k in 1:3) {
  y <- paste0("y", k)
  x <- paste0("x", k)
  for (run in c("nr", "lin", "rak")) {
    d <- switch(run, nr = des, lin = lin, rak = rak)
    m <- svymean(fm(y), subset(d, get(x) == 1), deff = TRUE)
    same(paste("svymean", run, "T", k), got(run, paste0(ind(0, k), "estimate")), 100 * coef(m))
    same(paste("svymean", run, "T", k, "se"), got(run, paste0(ind(0, k), "se")), 100 * SE(m))
  }
  b <- svyby(fm(y), ~urban, subset(lin, get(x) == 1), svymean, deff = TRUE)
  for (u in 0:1) {
    g <- if (u == 1) 1 else 2
    row <- b[b$urban == u, ]
    same(paste("svyby urban", u, "T", k), got("ur", paste0(ind(g, k), "estimate")), 100 * row[[y]])
    same(paste("svyby urban", u, "T", k, "se"), got("ur", paste0(ind(g, k), "se")), 100 * row$se)
  }
}
# persons by sex (T4, T5): men the reference
for (k in 4:5) {
  y <- paste0("y", k)
  x <- paste0("x", k)
  check_value("sex", 1, k, subset(rak, n_s1 > 0), paste0(y, "_s1"), paste0(x, "_s1"),
              paste0("men T", k))
  check_value("sex", 2, k, subset(rak, n_s2 > 0), paste0(y, "_s2"), paste0(x, "_s2"),
              paste0("women T", k))
  check_diff("sex", 2, k, rak, paste0(y, "_s2"), paste0(x, "_s2"), paste0(y, "_s1"),
             paste0(x, "_s1"), "diff_reference", paste0("women - men T", k))
}
# communes against the province (nonresponse weights)
units <- sort(unique(hh$unit))
for (g in seq_along(units)) {
  key <- got("com", sprintf("$.groups[%d].key", g - 1))
  if (is.na(key) || sprintf("%05d", key) != units[g]) {
    failed <- failed + 1
    cat("FAIL commune group", g - 1, "is", key, "not", units[g], "\n")
    next
  }
  hh$inc <- as.numeric(hh$unit == units[g])
  des <- update(des, inc = hh$inc)
  for (k in c(1, 5)) {
    y <- paste0("y", k)
    x <- paste0("x", k)
    des <- update(des, yc = hh[[y]] * hh$inc, xc = hh[[x]] * hh$inc)
    if (sum(hh$inc * hh[[x]]) == 0) next
    r <- svyratio(fm(y), fm(x), subset(des, inc == 1))
    same(paste("commune", units[g], "T", k), got("com", paste0(ind(g - 1, k), "estimate")),
         100 * coef(r))
    same(paste("commune", units[g], "T", k, "se"), got("com", paste0(ind(g - 1, k), "se")),
         100 * SE(r))
    check_diff("com", g - 1, k, des, "yc", "xc", y, x, "diff_province",
               paste("commune", units[g], "- province T", k))
  }
}
# JKn replicates, raked again in each
jk <- calibrate(as.svrepdesign(des, type = "JKn"), calf, population = pop, calfun = "raking")
for (k in 1:5) {
  y <- paste0("y", k)
  x <- paste0("x", k)
  r <- svyratio(fm(y), fm(x), jk)
  t <- svytotal(fm(y), jk)
  same(paste("JKn T", k), got("jkn", paste0(ind(0, k), "estimate")), 100 * coef(r))
  same(paste("JKn T", k, "se"), got("jkn", paste0(ind(0, k), "se")), 100 * SE(r))
  same(paste("JKn T", k, "total se"), got("jkn", paste0(ind(0, k), "total_se")), SE(t))
}
same("JKn replicates", got("jkn", "$.variance.replicates"), ncol(jk$repweights))

# the bootstrap: the exported weights are R's raked weights, each replicate meets the totals,
# and svrepdesign on them gives the indicators' standard errors
ex <- read.csv(file.path(dir, "exp", "households.csv"), colClasses = c(case_id = "character"))
ex <- ex[match(hh$case_id, ex$case_id), ]
wr <- weights(rak)
for (i in seq_len(nrow(hh)))
  same(paste("final weight", hh$case_id[i]), ex$wt_final[i], wr[i])
repcols <- grep("^rw_[0-9]+$", names(ex), value = TRUE)
same("bootstrap replicates exported", length(repcols), 40)
cal_x <- cbind(1, hh$urban, hh$n_s1, hh$n_s2)
for (rc in repcols) {
  m <- colSums(cal_x * ex[[rc]])
  # met as closely as the calibration's own stopping rule asks (R's epsilon)
  for (j in seq_along(pop)) {
    compared <- compared + 1
    if (!(abs(m[j] - pop[j]) / (1 + abs(pop[j])) < 1e-7)) {
      failed <- failed + 1
      cat("FAIL", rc, "does not meet", names(pop)[j], ":", m[j], "vs", pop[j], "\n")
    }
  }
}
bs <- svrepdesign(data = cbind(hh, wt_final = ex$wt_final), repweights = ex[, repcols],
                  weights = ~wt_final, type = "other", scale = 1 / (length(repcols) - 1),
                  rscales = 1, mse = FALSE, combined.weights = TRUE)
for (k in 1:5) {
  y <- paste0("y", k)
  x <- paste0("x", k)
  r <- svyratio(fm(y), fm(x), bs)
  same(paste("bootstrap T", k), got("boot", paste0(ind(0, k), "estimate")), 100 * coef(r))
  same(paste("bootstrap T", k, "se"), got("boot", paste0(ind(0, k), "se")), 100 * SE(r))
  same(paste("bootstrap T", k, "total se"), got("boot", paste0(ind(0, k), "total_se")),
       SE(svytotal(fm(y), bs)))
}

cat("compared", compared, "figures with R's survey package\n")
cat("largest relative difference", format(worst, digits = 3), "\n")
if (failed > 0 || compared < 400) {
  cat("FAIL:", failed, "differ;", compared, "compared\n")
  quit(status = 1)
}
