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


# netmiko's SSH device types (its CLASS_MAPPER without the telnet and serial ones): what
# an inventory may name with `platform_generic: true`. A test keeps them equal to the
# pinned netmiko's.
_DEVICE_TYPES = """
a10 a10_ssh accedian accedian_ssh adtran_os adtran_os_ssh adva_fsp150f2
adva_fsp150f2_ssh adva_fsp150f3 adva_fsp150f3_ssh alaxala_ax26s alaxala_ax26s_ssh
alaxala_ax36s alaxala_ax36s_ssh alcatel_aos alcatel_aos_ssh alcatel_sros
alcatel_sros_ssh allied_telesis_awplus allied_telesis_awplus_ssh apc_aos apc_aos_ssh
apresia_aeos apresia_aeos_ssh arista_eos arista_eos_ssh arris_cer arris_cer_ssh
aruba_aoscx aruba_aoscx_ssh aruba_os aruba_os_ssh aruba_osswitch aruba_osswitch_ssh
aruba_procurve aruba_procurve_ssh asterfusion_asternos asterfusion_asternos_ssh
audiocode_66 audiocode_66_ssh audiocode_72 audiocode_72_ssh audiocode_shell
audiocode_shell_ssh autodetect avara_aos avara_aos_ssh avaya_ers avaya_ers_ssh avaya_vsp
avaya_vsp_ssh aviat_wtm aviat_wtm_ssh bintec_boss bintec_boss_ssh broadcom_icos
broadcom_icos_ssh brocade_fastiron brocade_fastiron_ssh brocade_fos brocade_fos_ssh
brocade_netiron brocade_netiron_ssh brocade_nos brocade_nos_ssh brocade_vdx
brocade_vdx_ssh brocade_vyos brocade_vyos_ssh calix_b6 calix_b6_ssh calix_exa
calix_exa_ssh casa_cmts casa_cmts_ssh cdot_cros cdot_cros_ssh centec_os centec_os_ssh
checkpoint_gaia checkpoint_gaia_ssh ciena_saos ciena_saos10 ciena_saos10_ssh
ciena_saos_ssh ciena_waveserver ciena_waveserver_ssh cisco_ap cisco_ap_ssh cisco_apic
cisco_apic_ssh cisco_asa cisco_asa_ssh cisco_ftd cisco_ftd_ssh cisco_ios cisco_ios_ssh
cisco_ioswlc cisco_ioswlc_ssh cisco_nxos cisco_nxos_ssh cisco_s200 cisco_s200_ssh
cisco_s300 cisco_s300_ssh cisco_s500 cisco_s500_ssh cisco_tp cisco_tp_ssh cisco_viptela
cisco_viptela_ssh cisco_wlc cisco_wlc_ssh cisco_xe cisco_xe_ssh cisco_xr cisco_xr_ssh
cloudgenix_ion cloudgenix_ion_ssh corelight_linux corelight_linux_ssh coriant
coriant_ssh cumulus_linux cumulus_linux_ssh dell_dnos9 dell_dnos9_ssh dell_force10
dell_force10_ssh dell_isilon dell_isilon_ssh dell_os10 dell_os10_ssh dell_os6
dell_os6_ssh dell_os9 dell_os9_ssh dell_powerconnect dell_powerconnect_ssh dell_sonic
dell_sonic_ssh digi_transport digi_transport_ssh dlink_ds dlink_ds_ssh edgecore_sonic
edgecore_sonic_ssh ekinops_ek360 ekinops_ek360_ssh eltex eltex_esr eltex_esr_ssh
eltex_ssh endace endace_ssh enterasys enterasys_ssh ericsson_ipos ericsson_ipos_ssh
ericsson_mltn63 ericsson_mltn63_ssh ericsson_mltn66 ericsson_mltn66_ssh extreme
extreme_ers extreme_ers_ssh extreme_exos extreme_exos_ssh extreme_netiron
extreme_netiron_ssh extreme_nos extreme_nos_ssh extreme_slx extreme_slx_ssh extreme_ssh
extreme_tierra extreme_tierra_ssh extreme_vdx extreme_vdx_ssh extreme_vsp
extreme_vsp_ssh extreme_wing extreme_wing_ssh f5_linux f5_linux_ssh f5_ltm f5_ltm_ssh
f5_tmsh f5_tmsh_ssh fiberstore_fsos fiberstore_fsos_ssh fiberstore_fsosv2
fiberstore_fsosv2_ssh fiberstore_networkos fiberstore_networkos_ssh flexvnf flexvnf_ssh
fortinet fortinet_ssh fsas_sir fsas_sir_ssh fujitsu_sir fujitsu_sir_ssh
furukawa_fitelnet furukawa_fitelnet_ssh garderos_grs garderos_grs_ssh generic
generic_ssh generic_termserver generic_termserver_ssh h3c_comware h3c_comware_ssh
hillstone_stoneos hillstone_stoneos_ssh hirschmann_hios hirschmann_hios_ssh hp_comware
hp_comware_ssh hp_procurve hp_procurve_ssh huawei huawei_olt huawei_olt_ssh huawei_ont
huawei_ont_ssh huawei_smartax huawei_smartax_ssh huawei_smartaxmmi huawei_smartaxmmi_ssh
huawei_ssh huawei_vrp huawei_vrp_ssh huawei_vrpv8 huawei_vrpv8_ssh iij_seilos
iij_seilos_ssh infinera_packet infinera_packet_ssh ipinfusion_ocnos ipinfusion_ocnos_ssh
juniper juniper_junos juniper_junos_ssh juniper_screenos juniper_screenos_ssh
juniper_ssh keymile keymile_nos keymile_nos_ssh keymile_ssh lancom_lcossx4
lancom_lcossx4_ssh lancom_lcossx5 lancom_lcossx5_ssh linux linux_ssh maipu maipu_ssh
mellanox mellanox_mlnxos mellanox_mlnxos_ssh mellanox_ssh mikrotik_routeros
mikrotik_routeros_ssh mikrotik_switchos mikrotik_switchos_ssh moxa_nos moxa_nos_ssh
mrv_lx mrv_lx_ssh mrv_optiswitch mrv_optiswitch_ssh nec_ix nec_ix_ssh netapp_cdot
netapp_cdot_ssh netgear_prosafe netgear_prosafe_ssh netscaler netscaler_ssh nokia_isam
nokia_isam_ssh nokia_srl nokia_srl_ssh nokia_sros nokia_sros_ssh oneaccess_oneos
oneaccess_oneos_ssh opengear_linux opengear_linux_ssh ovs_linux ovs_linux_ssh
paloalto_panos paloalto_panos_ssh perle_iolan perle_iolan_ssh pluribus pluribus_ssh
quanta_mesh quanta_mesh_ssh rad_etx rad_etx_ssh raisecom_roap raisecom_roap_ssh
raisecom_ros raisecom_ros_ssh ruckus_fastiron ruckus_fastiron_ssh ruijie_os
ruijie_os_ssh silverpeak_vxoa silverpeak_vxoa_ssh sixwind_os sixwind_os_ssh
smartoptics_dwdm smartoptics_dwdm_ssh sophos_sfos sophos_sfos_ssh supermicro_smis
supermicro_smis_ssh telcosystems_binos telcosystems_binos_ssh teldat_cit teldat_cit_ssh
terminal_server tplink_jetstream tplink_jetstream_ssh ubiquiti_edge ubiquiti_edge_ssh
ubiquiti_edgerouter ubiquiti_edgerouter_ssh ubiquiti_edgeswitch ubiquiti_edgeswitch_ssh
ubiquiti_unifiswitch ubiquiti_unifiswitch_ssh vertiv_mph vertiv_mph_ssh vyatta_vyos
vyatta_vyos_ssh vyos vyos_ssh watchguard_fireware watchguard_fireware_ssh yamaha
yamaha_ssh zpe_nodegrid zpe_nodegrid_ssh zte_zxros zte_zxros_ssh zyxel_os zyxel_os_ssh
"""
NETMIKO_DEVICE_TYPES = frozenset(_DEVICE_TYPES.split())
