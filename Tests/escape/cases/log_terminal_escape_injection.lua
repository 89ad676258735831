-- expect: exit=0 stderr!~\x1b stderr~danger within=5
-- why: with --no-color the human log is plain; raw ESC bytes from a recipe could rewrite or hide
-- lines on the terminal or CI log viewer (e.g. "\27[2K\27[1A" erases the previous line).
unidesk.log.info("danger\27[2K\27[1Ahidden")
unidesk.step("step\27[31mred", function() end)
