#!/usr/bin/env bash
# A throwaway single-node Slurm cluster for the tests, started and stopped by pid:
#   source tests/e2e/slurm-cluster.sh; slurm_start DIR; ...; slurm_stop
# munged runs with a generated key and its own socket; slurmctld and slurmd run as root
# with every state, spool, pid and log file under DIR, on ports of their own, with the
# plugins that need no cgroups (proctrack/linuxproc, task/none). Exports SLURM_CONF.
# Needs root and Debian's slurm-wlm and munge (scripts/test-setup installs them).

slurm_dir=
slurm_log() { for f in "$slurm_dir"/*.log; do echo "== $f"; tail -n 20 "$f"; done >&2; }

slurm_wait_pidfile() { # FILE: waits up to 10 s for a pid file naming a live process
    for _ in $(seq 1 100); do
        [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

slurm_start() {
    slurm_dir=$1
    local d=$1 host cpus port
    host=$(hostname)
    cpus=$(nproc)
    port=$((20000 + $$ % 20000))
    mkdir -p "$d/state" "$d/spool"
    chmod 700 "$d"
    mungekey --create --keyfile="$d/munge.key" 2>/dev/null ||
        dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 status=none
    chmod 400 "$d/munge.key"
    munged --key-file="$d/munge.key" --socket="$d/munge.sock" --pid-file="$d/munged.pid" \
        --log-file="$d/munged.log" --seed-file="$d/munged.seed" --force ||
        { slurm_log; return 1; }
    slurm_wait_pidfile "$d/munged.pid" || { slurm_log; return 1; }
    cat >"$d/slurm.conf" <<CONF
ClusterName=dmasimtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$d/munge.sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$d/slurm.conf
    slurmctld -f "$SLURM_CONF" -i || { slurm_log; return 1; }
    slurm_wait_pidfile "$d/slurmctld.pid" || { slurm_log; return 1; }
    slurmd -f "$SLURM_CONF" || { slurm_log; return 1; }
    slurm_wait_pidfile "$d/slurmd.pid" || { slurm_log; return 1; }
    for _ in $(seq 1 200); do # the node reports idle once slurmd has registered
        sinfo -h -N -o '%T' 2>/dev/null | grep -q '^idle' && return 0
        sleep 0.1
    done
    slurm_log
    return 1
}

slurm_stop() { # stops slurmd, slurmctld and munged by their pids, and waits for them
    [ -n "$slurm_dir" ] || return 0
    local f pid
    for f in slurmd slurmctld munged; do
        [ -s "$slurm_dir/$f.pid" ] || continue
        pid=$(cat "$slurm_dir/$f.pid")
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
    done
    slurm_dir=
}
