"""The connection arguments netmiko's `BaseConnection` takes, as data.

An inventory's `options` (and the extra keys of a devices.yaml entry) are passed to
netmiko as they are; a misspelt one would only show when connecting, as netmiko's
TypeError. They are checked against this list when the inventory is read, without
importing netmiko (start-up stays quick). A test keeps the list equal to the parameters
of the pinned netmiko's `BaseConnection.__init__`.
"""

from __future__ import annotations

NETMIKO_ARGUMENTS = frozenset(
    {
        "ip",
        "host",
        "username",
        "password",
        "secret",
        "port",
        "device_type",
        "verbose",
        "global_delay_factor",
        "global_cmd_verify",
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
        "conn_timeout",
        "auth_timeout",
        "banner_timeout",
        "blocking_timeout",
        "timeout",
        "session_timeout",
        "read_timeout_override",
        "keepalive",
        "default_enter",
        "response_return",
        "serial_settings",
        "fast_cli",
        "_legacy_mode",
        "session_log",
        "session_log_record_writes",
        "session_log_file_mode",
        "allow_auto_change",
        "encoding",
        "sock",
        "sock_telnet",
        "auto_connect",
        "delay_factor_compat",
        "disable_lf_normalization",
    }
)
