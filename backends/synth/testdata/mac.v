// A small registered multiply-accumulate for the synthesis tests:
// y = a*b + c, registered, with an 8-level combinational adder chain.
module mac (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  input  wire [31:0] c,
  output reg  [31:0] y
);
  reg [15:0] ar, br;
  reg [31:0] cr;
  always @(posedge clk) begin
    ar <= a;
    br <= b;
    cr <= c;
    y  <= $signed(ar) * $signed(br) + cr;
  end
endmodule

// Only registers and wiring: no logic between flip-flops.
module regs (
  input  wire       clk,
  input  wire [7:0] a,
  output reg  [7:0] y
);
  reg [7:0] t;
  always @(posedge clk) begin
    t <= a;
    y <= t;
  end
endmodule
