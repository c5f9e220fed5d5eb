from cstool.cli import main

main(prog_name="cstool")
