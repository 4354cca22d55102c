"""netplay: validated YAML playbooks for network devices, run over SSH."""

__version__ = "0.1.0"
