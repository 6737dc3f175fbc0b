# primitives.R - the weighting chain of common/ against R's survey package on a generated
# design: a stratified sample of villages (PSUs) with unequal weights, a stratum with a single
# PSU, refusals (one class too small, collapsed), persons counted in households (a ratio of
# persons), calibration to commune and urban/rural totals and to the number of persons.
#
#   Rscript primitives.R SVY_CHECK WORKDIR
#
# Every figure svy_check prints must equal R's to 1e-9 (relative to the figure when it is
# above 1): nonresponse factors and weights, the ratio and its Taylor standard error, after
# linear calibration and raking (weights and standard errors), JK1, JKn and bootstrap
# replicate standard errors, raw and with the raking redone in each replicate.
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")

args <- commandArgs(trailingOnly = TRUE)
svy_check <- args[1]
dir <- args[2]
set.seed(20251207)

# ---- the design: strata of 10, 8, 12, 6, 1 and 9 villages
npsu <- c(10, 8, 12, 6, 1, 9)
rows <- list()
psu <- 0
for (h in seq_along(npsu)) {
  for (k in seq_len(npsu[h])) {
    m <- sample(6:12, 1)
    commune <- sample(0:2, 1)
    urban <- if (k == 1) 1L else if (k == 2) 0L else as.integer(runif(1) < 0.4)
    base <- c(40, 55, 30, 80, 25, 60)[h] * runif(1, 0.7, 1.4)
    size <- sample(1:7, m, replace = TRUE)
    inet <- rbinom(m, size, prob = if (urban) 0.8 else 0.5)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = h - 1, psu = psu, d = base * runif(m, 0.9, 1.1),
      responded = as.integer(runif(m) < 0.85), cls = h - 1,
      y = inet, x = size, commune = commune, urban = urban)
    psu <- psu + 1
  }
}
units <- do.call(rbind, rows)
units$responded[units$stratum == 4] <- c(1, rep(0, sum(units$stratum == 4) - 1))
units$c0 <- as.numeric(units$commune == 0)
units$c1 <- as.numeric(units$commune == 1)
units$c2 <- as.numeric(units$commune == 2)
units$c3 <- as.numeric(units$urban == 1)
units$c5 <- units$x
# rural is the rest (R's linear calibration takes no collinear columns)
cal_cols <- c("c0", "c1", "c2", "c3", "c5")
hh_total <- sum(units$d) * 1.04
totals <- c(hh_total * c(0.30, 0.38, 0.32), hh_total * 0.27,
            sum(units$d * units$x) * 1.07)
write.csv(units[, c("stratum", "psu", "d", "responded", "cls", "y", "x", cal_cols)],
          file.path(dir, "units.csv"), row.names = FALSE)
write.table(t(totals), file.path(dir, "totals.csv"), sep = ",", row.names = FALSE,
            col.names = cal_cols)
min_resp <- 3
max_factor <- 2.5
reps <- 60
out <- system2(svy_check, c(file.path(dir, "units.csv"), file.path(dir, "totals.csv"),
                            min_resp, max_factor, reps, 7, file.path(dir, "boot.csv")),
               stdout = TRUE)
if (!is.null(attr(out, "status"))) stop("svy_check failed")
ours <- strsplit(out, " ")
get1 <- function(key) {
  for (f in ours) if (length(f) == 2 && f[1] == key) return(as.numeric(f[2]))
  stop("svy_check printed no ", key)
}
getv <- function(key) {
  v <- c()
  for (f in ours) if (length(f) == 3 && f[1] == key) v[as.integer(f[2]) + 1] <- as.numeric(f[3])
  v
}

failures <- 0
checked <- 0
same <- function(what, got, want) {
  stopifnot(length(got) == length(want))
  tol <- 1e-9 * pmax(1, abs(want))
  bad <- !(abs(got - want) <= tol)
  checked <<- checked + length(want)
  if (any(bad)) {
    failures <<- failures + 1
    i <- which(bad)[1]
    cat(sprintf("DIFFERS %s[%d]: ours %.15g, R %.15g\n", what, i, got[i], want[i]))
  } else {
    cat(sprintf("same    %-22s (%d value%s, largest difference %.2g)\n", what, length(want),
                if (length(want) > 1) "s" else "", max(abs(got - want))))
  }
}

# ---- nonresponse: weighting classes by stratum, collapsed as docs/indicators.md says
ncls <- max(units$cls) + 1
ws <- tapply(units$d, factor(units$cls, levels = 0:(ncls - 1)), sum)
wr <- tapply(units$d * units$responded, factor(units$cls, levels = 0:(ncls - 1)), sum)
nr <- tapply(units$responded, factor(units$cls, levels = 0:(ncls - 1)), sum)
start <- 0:(ncls - 1)
repeat {
  ends <- c(start[-1], ncls) - 1
  fails <- sapply(seq_along(start), function(g) {
    k <- start[g]:ends[g]
    k <- k + 1 # R counts from 1
    sum(nr[k]) < min_resp || sum(wr[k]) <= 0 || sum(ws[k]) / sum(wr[k]) > max_factor
  })
  if (!any(fails) || length(start) == 1) break
  g <- which(fails)[1]
  drop <- if (g < length(start)) g + 1 else g
  start <- start[-drop]
}
ends <- c(start[-1], ncls) - 1
factor_r <- numeric(ncls)
into_r <- numeric(ncls)
for (g in seq_along(start)) {
  k <- start[g]:ends[g]
  factor_r[k + 1] <- sum(ws[k + 1]) / sum(wr[k + 1])
  into_r[k + 1] <- start[g]
}
same("nonresponse factors", getv("nr_factor"), factor_r)
same("collapsed into", getv("nr_into"), into_r)
resp <- units[units$responded == 1, ]
resp$w <- resp$d * factor_r[resp$cls + 1]
same("adjusted weights", getv("nr_w"), resp$w)

# ---- Taylor, calibration
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = resp, nest = TRUE)
ratio <- function(d) svyratio(~y, ~x, d)
r <- ratio(des)
same("ratio", get1("taylor_ratio"), coef(r)[[1]])
same("Taylor se", get1("taylor_se"), SE(r)[[1]])

fml <- as.formula(paste("~0+", paste(cal_cols, collapse = "+")))
names(totals) <- cal_cols
lin <- calibrate(des, fml, population = totals, calfun = "linear")
rlin <- ratio(lin)
same("linear weights", getv("linear_w"), weights(lin))
same("linear ratio", get1("linear_ratio"), coef(rlin)[[1]])
same("linear se", get1("linear_se"), SE(rlin)[[1]])
rak <- calibrate(des, fml, population = totals, calfun = "raking", epsilon = 1e-13,
                 maxit = 100)
rrak <- ratio(rak)
same("raking weights", getv("raking_w"), weights(rak))
same("raking ratio", get1("raking_ratio"), coef(rrak)[[1]])
same("raking se", get1("raking_se"), SE(rrak)[[1]])

# ---- replicates
# JK1 is for a design without strata (R refuses it for a stratified one): the same villages
# as one stratum
des1 <- svydesign(ids = ~psu, weights = ~w, data = resp)
for (type in c("JK1", "JKn")) {
  rd <- as.svrepdesign(if (type == "JK1") des1 else des, type = type)
  key <- tolower(type)
  same(paste(type, "se"), get1(paste0(key, "_se")), SE(ratio(rd))[[1]])
  rc <- calibrate(rd, fml, population = totals, calfun = "raking", epsilon = 1e-13,
                  maxit = 100)
  same(paste(type, "raking se"), get1(paste0(key, "_raking_se")), SE(ratio(rc))[[1]])
}
boot <- as.matrix(read.csv(file.path(dir, "boot.csv"), header = FALSE))
stopifnot(ncol(boot) == reps)
# R's subbootstrap variance (as.svrepdesign type "subbootstrap"): scale 1/(R-1), centred at
# the replicates' mean; R draws its own replicates, so ours are handed to it
bd <- svrepdesign(data = resp, repweights = boot, weights = ~w, type = "other",
                  scale = 1 / (reps - 1), rscales = rep(1, reps), mse = FALSE,
                  combined.weights = FALSE)
same("bootstrap se", get1("bootstrap_se"), SE(ratio(bd))[[1]])
# (compress: R's calibrate of uncompressed replicate weights trips on its own test of it)
bc <- calibrate(bd, fml, population = totals, calfun = "raking", epsilon = 1e-13, maxit = 100,
                compress = TRUE)
same("bootstrap raking se", get1("bootstrap_raking_se"), SE(ratio(bc))[[1]])

cat(sprintf("%d figures compared, %d differ\n", checked, failures))
quit(status = if (failures) 1 else 0)
