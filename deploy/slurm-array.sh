#!/bin/bash
# The toy suite as a Slurm job array: array task i runs shard i of the
# array's task count (items j with j mod count = i), resolved by ebmcpu from
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN.
#
#   sbatch deploy/slurm-array.sh
#   EBMCPU_BIN=$HOME/bin/ebmcpu EBMCPU_OUT=/scratch/$USER/suite sbatch deploy/slurm-array.sh
#
# 120 s before the time limit Slurm sends SIGUSR1 to this script (B: the
# batch shell only), which forwards it to ebmcpu; ebmcpu checkpoints and
# exits 75, and the script requeues the task, which resumes where it stopped.
# Exit codes: 0 done; 1 failed at run time (resubmit to resume); 2 bad input
# or configuration (not requeued); 75 interrupted and checkpointed (requeued
# up to EBMCPU_MAX_REQUEUES times).
#
#SBATCH --job-name=ebmcpu-suite
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --signal=B:USR1@120
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=ebmcpu-suite-%A_%a.log

set -u

bin=${EBMCPU_BIN:-ebmcpu}
out=${EBMCPU_OUT:-results/toy-suite}
max_requeues=${EBMCPU_MAX_REQUEUES:-10}

child=
forward() {
	if [ -n "$child" ]; then
		kill -s "$1" "$child" 2>/dev/null
	fi
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM
trap 'forward INT' INT

"$bin" suite --out "$out" &
child=$!

# A trapped signal interrupts wait with a status above 128 while ebmcpu is
# still checkpointing: wait again until it exits.
while :; do
	wait "$child"
	rc=$?
	if [ "$rc" -gt 128 ] && kill -0 "$child" 2>/dev/null; then
		continue
	fi
	break
done

case $rc in
0)
	exit 0
	;;
2)
	echo "ebmcpu: bad input or configuration (exit 2): not requeued" >&2
	exit 2
	;;
75)
	restarts=${SLURM_RESTART_COUNT:-0}
	if [ "$restarts" -lt "$max_requeues" ]; then
		echo "ebmcpu: checkpointed (exit 75): requeueing job $SLURM_JOB_ID (restart $((restarts + 1)) of $max_requeues)" >&2
		scontrol requeue "$SLURM_JOB_ID"
	else
		echo "ebmcpu: checkpointed (exit 75) after $restarts requeues: giving up; resubmit to resume" >&2
	fi
	exit 75
	;;
*)
	echo "ebmcpu: failed (exit $rc): resubmit this task to resume" >&2
	exit "$rc"
	;;
esac
