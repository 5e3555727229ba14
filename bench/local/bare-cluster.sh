#!/usr/bin/env bash
# The baseline of the local driver benchmark: one Spark master and two workers started directly with
# spark-class, in parallel, with the settings the local driver gives its daemons.
# Usage: bare-cluster.sh SPARK_HOME WORK_DIR MASTER_PORT MASTER_WEB_PORT W1_PORT W1_WEB_PORT W2_PORT W2_WEB_PORT
set -euo pipefail
spark_home=$1 work=$2 master_port=$3 master_web=$4
export SPARK_HOME=$spark_home SPARK_LOCAL_IP=127.0.0.1 SPARK_PUBLIC_DNS=127.0.0.1 SPARK_DAEMON_MEMORY=256m
export SPARK_MASTER_OPTS=-Dspark.master.rest.enabled=false
mkdir -p "$work/w1" "$work/w2"
"$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$master_port" --webui-port "$master_web" >"$work/master.log" 2>&1 &
"$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --port "$5" --webui-port "$6" --cores 1 --memory 1g --work-dir "$work/w1" \
  "spark://127.0.0.1:$master_port" >"$work/w1.log" 2>&1 &
"$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --port "$7" --webui-port "$8" --cores 1 --memory 1g --work-dir "$work/w2" \
  "spark://127.0.0.1:$master_port" >"$work/w2.log" 2>&1 &
wait
