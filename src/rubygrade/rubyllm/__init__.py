"""RubyLLM knowledge shared by the checks: type inference and LLM call-site discovery."""
