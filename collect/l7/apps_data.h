/* collect/l7/apps_data.h — registry entries of databases and messaging
 * (see L7_APPS in l7.h): X(ID, "name", probe function, weak). Memcached is
 * weak: its text commands are short lines other protocols may start with,
 * and over UDP its signature is an 8-byte frame header. */
#ifndef HABIT_COLLECT_L7_APPS_DATA_H
#define HABIT_COLLECT_L7_APPS_DATA_H

#define L7_APPS_DATA(X)                                                       \
  X(MYSQL, "mysql", l7_probe_mysql, 0)                                        \
  X(POSTGRESQL, "postgresql", l7_probe_postgresql, 0)                         \
  X(REDIS, "redis", l7_probe_redis, 0)                                        \
  X(MONGODB, "mongodb", l7_probe_mongodb, 0)                                  \
  X(CASSANDRA, "cassandra", l7_probe_cassandra, 0)                            \
  X(KAFKA, "kafka", l7_probe_kafka, 0)                                        \
  X(AMQP, "amqp", l7_probe_amqp, 0)                                           \
  X(MQTT, "mqtt", l7_probe_mqtt, 0)                                           \
  X(MEMCACHED, "memcached", l7_probe_memcached, 1)

#endif
