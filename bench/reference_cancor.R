# R reference for the linear CCA benchmark: stats::cancor on the same 10,000 x 784 + 784 data
# (raw float64 files written by reference_linear.py generate). Benchmark helper only.
# usage: Rscript reference_cancor.R DIR [repeats]
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
repeats <- if (length(args) > 1) as.integer(args[2]) else 3L
read_view <- function(path) {
  con <- file(path, "rb"); on.exit(close(con))
  v <- readBin(con, "double", n = file.info(path)$size / 8, size = 8, endian = "little")
  matrix(v, ncol = 784, byrow = TRUE)
}
x <- read_view(file.path(dir, "view1.f64"))
y <- read_view(file.path(dir, "view2.f64"))
loadavg <- function() paste(strsplit(readLines("/proc/loadavg"), " ")[[1]][1:3], collapse = " ")
cat(sprintf("# %s, BLAS %s, load %s\n", R.version.string, extSoftVersion()[["BLAS"]], loadavg()))
times <- numeric(repeats)
for (i in seq_len(repeats)) {
  t <- system.time(cc <- cancor(x, y))
  times[i] <- t[["elapsed"]]
}
cat(sprintf("RESULT r_cancor min_s=%.4f median_s=%.4f n=%d load=\"%s\" rows=%d rho1..3=%s\n",
            min(times), median(times), repeats, loadavg(), nrow(x),
            paste(sprintf("%.10f", cc$cor[1:3]), collapse = ",")))
