// Tests never export traces and never log unless a test captures logs itself.
process.env.LYCEUM_PROFILE = 'test'
process.env.OTEL_SDK_DISABLED = 'true'
