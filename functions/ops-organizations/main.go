// Command ops-organizations is the Lambda function of the portal route "ops-organizations".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-organizations") }
