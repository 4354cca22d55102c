"""The connection arguments netmiko's `BaseConnection` takes, as data.

An inventory's `options` (and the extra keys of a devices.yaml entry) are passed to
netmiko as they are; a misspelt one would only show when connecting, as netmiko's
TypeError. They are checked against these names when the inventory is read, without
importing netmiko (start-up stays quick). A test keeps them equal to the parameters of
the pinned netmiko's `BaseConnection.__init__`.
"""

from __future__ import annotations

# netmiko options that cannot change where or how a session connects (what `--lab` keeps).
TUNING_OPTIONS = frozenset(
    {
        "global_delay_factor",
        "fast_cli",
        "read_timeout_override",
        "conn_timeout",
        "auth_timeout",
        "banner_timeout",
        "blocking_timeout",
        "timeout",
        "session_timeout",
        "keepalive",
        "encoding",
        "default_enter",
        "response_return",
        "global_cmd_verify",
        "verbose",
        "allow_auto_change",
        "disable_lf_normalization",
        "delay_factor_compat",
    }
)
# The others: where and how to connect, credentials, keys, the transport, session logs.
NETMIKO_ARGUMENTS = TUNING_OPTIONS | frozenset(
    {
        "ip",
        "host",
        "username",
        "password",
        "secret",
        "port",
        "device_type",
        "use_keys",
        "key_file",
        "pkey",
        "passphrase",
        "disabled_algorithms",
        "disable_sha2_fix",
        "allow_agent",
        "ssh_strict",
        "system_host_keys",
        "alt_host_keys",
        "alt_key_file",
        "ssh_config_file",
        "serial_settings",
        "_legacy_mode",
        "session_log",
        "session_log_record_writes",
        "session_log_file_mode",
        "sock",
        "sock_telnet",
        "auto_connect",
    }
)
