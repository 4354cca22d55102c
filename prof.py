import time, re
from netmiko import ConnectHandler
import netmiko.base_connection as bc
t=time.perf_counter
for i in range(3):
    t0=t()
    c=ConnectHandler(device_type="cisco_ios", host="127.0.1.1", port=2344, username="u", password="p", secret="s", allow_agent=False, use_keys=False)
    t1=t()
    c.enable(); t2=t()
    p=c.find_prompt(); t3=t()
    o=c.send_command("show ip interface brief", expect_string=re.escape(c.base_prompt)+r".*?[#>][ \t]*$", re_flags=re.M) if False else c.send_command("show ip interface brief", expect_string=re.escape(c.base_prompt)+r".*?[#>][ \t]*$"); t4=t()
    c.disconnect(); t5=t()
    print(f"connect {t1-t0:.3f} enable {t2-t1:.3f} find_prompt {t3-t2:.3f} show {t4-t3:.3f} disconnect {t5-t4:.3f}")
