-- expect: exit=1 stderr~<secret> nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-error-SECRET-7731
-- why: an uncaught error whose value is the secret goes to stderr, the report and JUnit.
unidesk.step("login", function() error(unidesk.env("TOKEN")) end)
