// Command ops-organizations is the Lambda function of the portal route "ops-organizations".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-organizations") }
